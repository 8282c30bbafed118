import type { SettingsStore } from '../config/settings-store.js';
import type { SettingName } from '../config/settings.js';
import { InvalidInputError } from '../lib/errors.js';
import { CHANNEL_DEFINITIONS } from './definitions.js';
import { splitMessage } from './reply-stream.js';
import { handleInbound, type InboundDeps, type InboundOutcome } from './inbound.js';
import type { ChannelStatus, ToggleResult } from '../protocol/channels.js';
import { CHANNELS, RUNNABLE_CHANNELS, type ChannelAdapter, type ChannelName, type CreateAdapter, type InboundMessage, type RunnableChannel } from './types.js';

export interface ChannelManagerDeps extends Omit<InboundDeps, 'settings'> {
  settings: SettingsStore;
  /** Tests and benchmarks see each handled message. */
  onHandled?(channel: RunnableChannel, outcome: InboundOutcome, receivedAt: number): void;
}

export function isChannel(name: string): name is ChannelName {
  return (CHANNELS as readonly string[]).includes(name);
}

function isRunnable(name: ChannelName): name is RunnableChannel {
  return (RUNNABLE_CHANNELS as readonly string[]).includes(name);
}

/**
 * Starts, stops and reports the messaging channels; one instance in the app context. A
 * channel's library is imported on its first start, so an unused platform costs nothing.
 */
export class ChannelManager {
  private readonly running = new Map<RunnableChannel, ChannelAdapter>();
  /** Starts and stops in progress: a second toggle waits for the first rather than racing it. */
  private readonly busy = new Map<ChannelName, Promise<unknown>>();
  private readonly turns = new Set<Promise<unknown>>();
  /** When each refused sender was last audited. */
  private readonly refusedAt = new Map<string, number>();

  constructor(private readonly deps: ChannelManagerDeps) {}

  status(): Record<ChannelName, ChannelStatus> {
    const s = this.deps.settings.get();
    const out = {} as Record<ChannelName, ChannelStatus>;
    for (const name of CHANNELS) {
      const status: ChannelStatus = {
        configured: CHANNEL_DEFINITIONS[name].configured(s),
        running: isRunnable(name) && this.running.has(name),
        autostart: s.channel_autostart[name] !== false,
      };
      // PocketPaw's default mode is `personal` (QR pairing).
      if (name === 'whatsapp') status.mode = s.whatsapp_mode || 'personal';
      out[name] = status;
    }
    return out;
  }

  /**
   * The settings a `channels/save` config changes (spec §3.7): its known keys mapped to their
   * setting names, `autostart` to `channel_autostart`. Unknown keys are ignored.
   */
  settingsFor(channel: ChannelName, config: Record<string, unknown>): Record<string, unknown> {
    const keys = CHANNEL_DEFINITIONS[channel].keys;
    const patch: Partial<Record<SettingName, unknown>> = {};
    for (const [key, value] of Object.entries(config)) {
      if (key === 'autostart') {
        patch.channel_autostart = { ...this.deps.settings.get().channel_autostart, [channel]: Boolean(value) };
      } else if (Object.hasOwn(keys, key)) {
        patch[keys[key]!] = value;
      }
    }
    return patch;
  }

  save(channel: ChannelName, config: Record<string, unknown>): void {
    this.deps.settings.update(this.settingsFor(channel, config));
  }

  /** The running adapter of a channel (the WhatsApp webhook feeds its adapter). */
  adapter(channel: RunnableChannel): ChannelAdapter | undefined {
    return this.running.get(channel);
  }

  async toggle(channel: ChannelName, action: 'start' | 'stop'): Promise<ToggleResult> {
    const previous = this.busy.get(channel) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => (action === 'start' ? this.start(channel) : this.stop(channel)));
    this.busy.set(channel, next);
    try {
      return await next;
    } finally {
      if (this.busy.get(channel) === next) this.busy.delete(channel);
    }
  }

  private async start(channel: ChannelName): Promise<ToggleResult> {
    const s = this.deps.settings.get();
    const definition = CHANNEL_DEFINITIONS[channel];
    if (isRunnable(channel) && this.running.has(channel)) return { error: `${channel} is already running` };
    if (!definition.configured(s)) return { error: `${channel} is not configured — save tokens first` };
    const refusal = definition.refusal(s);
    if (refusal || !isRunnable(channel) || !definition.load) return { error: `Failed to start ${channel}: ${refusal ?? 'not supported'}` };
    let create: CreateAdapter;
    try {
      create = await definition.load();
    } catch {
      return { missing_dep: true, channel, package: definition.package, pip_spec: definition.package };
    }
    const adapter = create({
      settings: s,
      maxFileBytes: Math.floor(s.media_max_file_size_mb * 1024 * 1024),
      log: (m) => this.deps.log(`${channel}: ${m}`),
    });
    try {
      await adapter.start((message) => this.receive(channel, message));
    } catch (err) {
      await adapter.stop().catch(() => undefined);
      return { error: `Failed to start ${channel}: ${(err as Error)?.message ?? String(err)}` };
    }
    this.running.set(channel, adapter);
    this.deps.audit.write({ actor: 'owner', action: 'channel_started', target: channel, severity: 'info', status: 'ok', context: {} });
    return { channel, configured: true, running: true };
  }

  private async stop(channel: ChannelName): Promise<ToggleResult> {
    const adapter = isRunnable(channel) ? this.running.get(channel) : undefined;
    if (!adapter || !isRunnable(channel)) return { error: `${channel} is not running` };
    this.running.delete(channel);
    try {
      await adapter.stop();
    } catch (err) {
      return { error: `Failed to stop ${channel}: ${(err as Error)?.message ?? String(err)}` };
    }
    this.deps.audit.write({ actor: 'owner', action: 'channel_stopped', target: channel, severity: 'info', status: 'ok', context: {} });
    return { channel, configured: CHANNEL_DEFINITIONS[channel].configured(this.deps.settings.get()), running: false };
  }

  /**
   * Starts the channels that start with the app (configured, `autostart` not switched off), or
   * exactly those named in `only` (the CLI's flags). Each result is logged and returned.
   */
  async autostart(only?: readonly ChannelName[]): Promise<Partial<Record<ChannelName, ToggleResult>>> {
    const s = this.deps.settings.get();
    const wanted = only ?? RUNNABLE_CHANNELS.filter((name) => CHANNEL_DEFINITIONS[name].configured(s) && s.channel_autostart[name] !== false);
    const results: Partial<Record<ChannelName, ToggleResult>> = {};
    await Promise.all(wanted.map(async (name) => {
      const result = await this.toggle(name, 'start');
      results[name] = result;
      if ('error' in result) this.deps.log(result.error);
      else if ('missing_dep' in result) this.deps.log(`${name}: the ${result.package} package is missing`);
      else this.deps.log(`${name} channel started`);
    }));
    return results;
  }

  /**
   * Sends a message the user did not ask for (a reminder, an intention's result) to a chat of a
   * running channel. False when that channel is not running or the platform refused it.
   */
  async deliver(channel: RunnableChannel, chatId: string, text: string): Promise<boolean> {
    const adapter = this.running.get(channel);
    if (!adapter) return false;
    try {
      for (const piece of splitMessage(text, adapter.limits.maxChars)) await adapter.send(chatId, piece);
      return true;
    } catch (err) {
      this.deps.log(`${channel}: could not deliver to ${chatId}: ${(err as Error).message}`);
      return false;
    }
  }

  private receive(channel: RunnableChannel, message: InboundMessage): void {
    const receivedAt = Date.now();
    // The answer goes to whichever adapter runs the channel when it is ready: a channel
    // restarted during a turn still gets the answer.
    const live = this.liveAdapter(channel);
    const deps = { ...this.deps, settings: () => this.deps.settings.get(), auditRefusal: (key: string) => this.auditRefusal(key) };
    const turn = handleInbound(deps, channel, live, message)
      .then((outcome) => this.deps.onHandled?.(channel, outcome, receivedAt))
      .catch((err: unknown) => this.deps.log(`${channel}: message from ${message.chatId} failed: ${(err as Error).message}`));
    this.turns.add(turn);
    void turn.finally(() => this.turns.delete(turn));
  }

  /** At most one audit line per refused sender per minute; the map is bounded so a flood of senders cannot grow it forever. */
  private auditRefusal(key: string): boolean {
    const now = Date.now();
    const last = this.refusedAt.get(key);
    if (last !== undefined && now - last < 60_000) return false;
    if (this.refusedAt.size >= 10_000) this.refusedAt.clear();
    this.refusedAt.set(key, now);
    return true;
  }

  private liveAdapter(channel: RunnableChannel): ChannelAdapter {
    const running = this.running;
    const current = (): ChannelAdapter => {
      const adapter = running.get(channel);
      if (!adapter) throw new Error(`${channel} is not running`);
      return adapter;
    };
    const fallback = running.get(channel)!;
    return {
      get limits() {
        return (running.get(channel) ?? fallback).limits;
      },
      start: () => Promise.reject(new Error('not startable')),
      stop: () => Promise.resolve(),
      send: async (chatId, text) => current().send(chatId, text),
      edit: async (message, text) => current().edit(message, text),
      sendFile: async (chatId, file) => current().sendFile(chatId, file),
      typing: async (chatId) => current().typing?.(chatId),
    };
  }

  /** Stops every channel; turns still running finish through the chat service's own shutdown. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.running.keys()].map((name) => this.toggle(name, 'stop')));
    await Promise.allSettled([...this.turns]);
  }
}

export function parseChannel(name: string): ChannelName {
  if (!isChannel(name)) throw new InvalidInputError(`Unknown channel: ${name}`);
  return name;
}
