import type { ServerFrame } from '../protocol/index.js';
import { redactDeep } from '../security/redact.js';
import type { SecretValues } from '../security/secret-values.js';

export type LiveListener = (frame: ServerFrame) => void;

/**
 * Frames for every open dashboard (spec §4.4): audit entries, plan proposals, reminders,
 * intention runs. Producers publish here and know nothing of sockets; the WebSocket hub
 * subscribes. Everything published is redacted on the way out (spec §6.1).
 */
export class LiveBus {
  private readonly listeners = new Set<LiveListener>();

  /** `secrets`: exact values (master token, saved keys) to redact besides the patterns. */
  constructor(private readonly secrets?: SecretValues) {}

  /** Receives every frame from now on; returns the unsubscribe function. */
  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** A failing listener (a dead socket) never breaks the producer or the other listeners. */
  publish(frame: ServerFrame): void {
    if (this.listeners.size === 0) return;
    const safe = redactDeep(frame, this.secrets);
    for (const l of this.listeners) {
      try {
        l(safe);
      } catch {
        // keep delivering to the others
      }
    }
  }

  close(): void {
    this.listeners.clear();
  }
}
