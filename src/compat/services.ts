import type { AppContext } from '../app/context.js';
import { intentionRunner } from '../intentions/run.js';
import { IntentionService } from '../intentions/service.js';
import { ReminderService } from '../reminders/service.js';
import type { Frame } from '../ws/hub.js';

/** The PocketPaw-dashboard features with state of their own, one set per app context. */
export interface CompatServices {
  reminders: ReminderService;
  intentions: IntentionService;
  close(): void;
}

const byContext = new WeakMap<AppContext, CompatServices>();

/**
 * To every open dashboard socket: the app's live-frame bus (the WebSocket hub subscribes to it
 * and broadcasts what is published; with no socket open the frame reaches no one, as in PocketPaw).
 */
export function broadcastTo(ctx: AppContext): (frame: Frame) => void {
  return (frame) => ctx.audit.publish(frame);
}

/** Created on first use (route registration at start-up), then shared by routes and socket actions. */
export function compatServices(ctx: AppContext): CompatServices {
  const existing = byContext.get(ctx);
  if (existing) return existing;
  const broadcast = broadcastTo(ctx);
  // PocketPaw sends both frames (spec §4.4); clients read one or the other.
  const reminders = new ReminderService(ctx.home, (r) => {
    broadcast({ type: 'reminder', content: r });
    broadcast({ type: 'reminder', reminder: r });
  });
  const intentions = new IntentionService(ctx.home, intentionRunner(ctx, broadcast));
  reminders.schedule();
  intentions.start();
  const services: CompatServices = {
    reminders, intentions,
    close() {
      reminders.close();
      intentions.close();
    },
  };
  byContext.set(ctx, services);
  return services;
}
