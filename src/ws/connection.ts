import crypto from 'node:crypto';
import type { WebSocket } from 'ws';
import type { AppContext } from '../app/context.js';
import { HttpError } from '../http/errors.js';
import { API_KEY_PROVIDERS, applyWsSettings, wsSettingsContent } from '../settings/ws-settings.js';
import { extraActions } from './actions/index.js';
import { wsTurnSink } from './chat-sink.js';
import type { Frame, WsClient, WsHub } from './hub.js';

const HISTORY_ON_SWITCH = 100;

/**
 * One dashboard WebSocket (spec §4): its chat id, and the client actions of §4.3 that chat
 * needs. Unknown actions are ignored without reply, as PocketPaw does.
 */
export class WsConnection implements WsClient {
  chatId: string;
  private agentActive = true;

  constructor(readonly socket: WebSocket, private readonly ctx: AppContext, private readonly hub: WsHub, resumeSession?: string) {
    this.chatId = crypto.randomUUID();
    let resumed = false;
    if (resumeSession?.startsWith('websocket_')) {
      const rest = resumeSession.slice('websocket_'.length);
      if (rest && ctx.sessions.find(resumeSession)) {
        this.chatId = rest;
        resumed = true;
      }
    }
    hub.add(this);
    this.send({ type: 'connection_info', content: 'Connected to PocketPaw', id: `websocket_${this.chatId}` });
    if (resumed) this.sendHistory(`websocket_${this.chatId}`);
  }

  private get baseKey(): string {
    return `websocket:${this.chatId}`;
  }

  send(frame: Frame): void {
    this.hub.send(this.socket, frame);
  }

  private sendHistory(sessionId: string): void {
    const messages = this.ctx.sessions.history(sessionId, HISTORY_ON_SWITCH).map((m) => ({ role: m.role || 'user', content: m.content }));
    this.send({ type: 'session_history', session_id: sessionId, messages });
  }

  async onFrame(raw: string): Promise<void> {
    let frame: unknown;
    try {
      frame = JSON.parse(raw);
    } catch {
      this.send({ type: 'error', content: 'Invalid message: send a JSON object with an "action" field.' });
      return;
    }
    if (!frame || typeof frame !== 'object' || Array.isArray(frame)) {
      this.send({ type: 'error', content: 'Invalid message: send a JSON object with an "action" field.' });
      return;
    }
    const f = frame as Record<string, unknown>;
    switch (f.action) {
      case 'chat': return this.chat(f);
      case 'stop': return this.stop();
      case 'new_session': return this.newSession();
      case 'switch_session': return this.switchSession(f);
      case 'get_settings': return this.send({ type: 'settings', content: wsSettingsContent(this.ctx.settings(), this.agentActive) });
      case 'settings':
        applyWsSettings(f, this.ctx.settingsStore);
        return this.send({ type: 'message', content: '⚙️ Settings updated' });
      case 'save_api_key': return this.saveApiKey(f);
      case 'toggle_agent':
        this.agentActive = Boolean(f.active);
        return this.send({ type: 'notification', content: `Legacy Mode: ${this.agentActive ? 'ON' : 'OFF'} (Bus is always active)` });
      default: {
        const handler = typeof f.action === 'string' && Object.hasOwn(extraActions, f.action) ? extraActions[f.action] : undefined;
        if (handler) {
          return handler(f, {
            ctx: this.ctx, chatId: this.chatId, send: (frame) => this.send(frame), broadcast: (frame) => this.hub.broadcast(frame),
          });
        }
        return; // includes `authenticate`, accepted and ignored (spec §2.5)
      }
    }
  }

  private async chat(f: Record<string, unknown>): Promise<void> {
    const text = typeof f.message === 'string' ? f.message : '';
    this.send({ type: 'stream_start' });
    if (!text.trim()) {
      this.send({ type: 'message', content: 'Type a message to send.', is_stream_chunk: false, metadata: {} });
      this.send({ type: 'stream_end' });
      return;
    }
    // The raw frame is the user message's metadata (spec §7.2), without media payloads.
    const { media: _media, ...metadata } = f;
    const chatId = this.chatId;
    await this.ctx.chat.runTurn({ baseKey: `websocket:${chatId}`, text, metadata }, wsTurnSink(this.hub, () => chatId));
  }

  private stop(): void {
    if (!this.ctx.chat.stop(this.baseKey)) this.send({ type: 'stream_end' });
  }

  private newSession(): void {
    this.chatId = crypto.randomUUID();
    this.send({ type: 'new_session', id: `websocket_${this.chatId}` });
  }

  private switchSession(f: Record<string, unknown>): void {
    const sessionId = typeof f.session_id === 'string' ? f.session_id : '';
    const cut = sessionId.indexOf('_');
    if (cut < 0) return;
    this.chatId = sessionId.slice(cut + 1);
    const messages = this.ctx.sessions.history(sessionId, HISTORY_ON_SWITCH).map((m) => ({ role: m.role || 'user', content: m.content }));
    this.send({ type: 'session_history', session_id: sessionId, messages });
  }

  private saveApiKey(f: Record<string, unknown>): void {
    const provider = typeof f.provider === 'string' ? API_KEY_PROVIDERS[f.provider] : undefined;
    const key = typeof f.key === 'string' ? f.key.trim() : '';
    if (!provider || !key) {
      this.send({ type: 'error', content: 'Invalid API key or provider' });
      return;
    }
    try {
      this.ctx.settingsStore.update({ [provider.setting]: key });
    } catch (err) {
      this.send({ type: 'error', content: err instanceof HttpError ? err.message : 'Could not save the key' });
      return;
    }
    this.ctx.audit.write({ action: 'api_key_saved', target: `setting:${provider.setting}`, actor: 'dashboard' });
    this.send({ type: 'message', content: `✅ ${provider.label} saved!` });
  }

  closed(): void {
    this.hub.remove(this);
  }
}
