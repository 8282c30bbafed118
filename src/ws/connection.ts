import crypto from 'node:crypto';
import type { WebSocket } from 'ws';
import { hasScope } from '../auth/scopes.js';
import { parseChatModel } from '../models/chat-model.js';
import { ForbiddenError, InvalidInputError } from '../lib/errors.js';
import { adminOnlyKeys } from '../settings/admin-keys.js';
import { API_KEY_PROVIDERS, applyWsSettings, wsSettingsContent, wsSettingsKeys } from '../settings/ws-settings.js';
import { extraActions } from './actions/index.js';
import { action, missingScopes, type WsActions, type WsDeps } from './actions/types.js';
import { wsTurnSink } from './chat-sink.js';
import { errorContent } from './errors.js';
import type { ServerFrame } from '../protocol/index.js';
import type { WsClient, WsHub } from './hub.js';

const HISTORY_ON_SWITCH = 100;

/**
 * One dashboard WebSocket (spec §4): its chat id, its credential's scopes, and the client
 * actions of §4.3 that chat needs. Every action declares the scope it needs and is checked
 * before it runs. Unknown actions are ignored without reply, as PocketPaw does.
 */
export class WsConnection implements WsClient {
  chatId: string;
  private agentActive = true;

  /**
   * @param scopes the connection's credential's scopes (an API key's); undefined = full access.
   */
  constructor(
    readonly socket: WebSocket, private readonly ctx: WsDeps, private readonly hub: WsHub,
    readonly scopes: readonly string[] | undefined, resumeSession?: string,
  ) {
    this.chatId = crypto.randomUUID();
    let resumed = false;
    // Resuming shows that session's history: only for credentials that may read sessions.
    if (resumeSession?.startsWith('websocket_') && (!scopes || hasScope(scopes, ['sessions']))) {
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

  send(frame: ServerFrame): void {
    this.hub.send(this.socket, frame);
  }

  private sendHistory(sessionId: string): void {
    this.send({ type: 'session_history', session_id: sessionId, messages: this.ctx.sessions.historyView(sessionId, HISTORY_ON_SWITCH) });
  }

  /**
   * Runs one client frame. Error frames sent while an action runs name it (`action`, ours), so a
   * client can tell which request failed. A failing action answers with an error frame (see
   * `errorContent`); a bug is also rethrown, for the socket's owner to log.
   */
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
    const name = typeof f.action === 'string' ? f.action : '';
    const declared = Object.hasOwn(this.actions, name) ? this.actions[name] : Object.hasOwn(extraActions, name) ? extraActions[name] : undefined;
    if (!declared) return; // unknown actions (and `authenticate`, spec §2.5) are ignored, as PocketPaw does
    const missing = this.scopes ? missingScopes(this.scopes, declared) : null;
    if (missing) {
      this.send({ type: 'error', action: name, content: `This API key may not use "${name}": it needs ${missing}.` });
      return;
    }
    const send = (out: ServerFrame) => this.send(out.type === 'error' ? { ...out, action: name } : out);
    try {
      await declared.run(f, {
        ctx: this.ctx, chatId: this.chatId, send, broadcast: (out) => this.hub.broadcast(out),
        switchChat: (id) => {
          this.chatId = id;
        },
        turnSink: (id) => wsTurnSink(this.hub, () => id),
      });
    } catch (err) {
      const { content, bug } = errorContent(err);
      send({ type: 'error', content });
      if (bug) throw err;
    }
  }

  /** The chat core's actions (spec §4.3), each with the scope a scoped credential needs. */
  private readonly actions: WsActions = {
    chat: action(['chat'], (f) => this.chat(f)),
    stop: action(['chat'], () => this.stop()),
    new_session: action(['chat'], () => this.newSession()),
    toggle_agent: action(['chat'], (f) => {
      this.agentActive = Boolean(f.active);
      this.send({ type: 'notification', content: `Legacy Mode: ${this.agentActive ? 'ON' : 'OFF'} (Bus is always active)` });
    }),
    // Switching shows another session's history: reading sessions.
    switch_session: action(['sessions'], (f) => this.switchSession(f)),
    get_settings: action(['settings:read', 'settings:write'], () => {
      this.send({ type: 'settings', content: wsSettingsContent(this.ctx.settings(), this.agentActive) });
    }),
    settings: action(['settings:write'], (f) => this.applySettings(f)),
    // A provider key decides whose account the owner's conversations go to.
    save_api_key: action(['admin'], (f) => this.saveApiKey(f)),
  };

  private applySettings(f: Record<string, unknown>): void {
    const refused = this.scopes ? adminOnlyKeys(wsSettingsKeys(f), this.scopes) : [];
    if (refused.length) throw new ForbiddenError(`Settings not changed: ${refused.join(', ')} need an admin credential.`);
    applyWsSettings(f, this.ctx.settingsStore);
    this.send({ type: 'message', content: '⚙️ Settings updated', notice: 'settings' });
  }

  private async chat(f: Record<string, unknown>): Promise<void> {
    const text = typeof f.message === 'string' ? f.message : '';
    this.send({ type: 'stream_start' });
    const hasMedia = Array.isArray(f.media) && f.media.length > 0;
    if (!text.trim() && !hasMedia) {
      this.send({ type: 'message', content: 'Type a message to send.', is_stream_chunk: false, metadata: {} });
      this.send({ type: 'stream_end' });
      return;
    }
    // The raw frame is the user message's metadata (spec §7.2), without media payloads.
    const { media: _media, ...metadata } = f;
    let attachments;
    try {
      attachments = this.ctx.media.resolveWs(f.media); // spec §4.7: refused files end the turn; nothing is stored
    } catch (err) {
      this.send({ type: 'stream_end' });
      throw err;
    }
    // `model` (ours, spec §4.7): a new chat's own model, stored with its first message.
    const model = typeof f.model === 'string' && parseChatModel(f.model) ? f.model : undefined;
    const chatId = this.chatId;
    await this.ctx.chat.runTurn({ baseKey: `websocket:${chatId}`, text, metadata, attachments, model }, wsTurnSink(this.hub, () => chatId));
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
    this.sendHistory(sessionId);
  }

  private saveApiKey(f: Record<string, unknown>): void {
    const provider = typeof f.provider === 'string' ? API_KEY_PROVIDERS[f.provider] : undefined;
    const key = typeof f.key === 'string' ? f.key.trim() : '';
    if (!provider || !key) throw new InvalidInputError('Invalid API key or provider');
    this.ctx.settingsStore.update({ [provider.setting]: key });
    this.ctx.audit.write({ action: 'api_key_saved', target: `setting:${provider.setting}`, actor: 'dashboard' });
    this.send({ type: 'message', content: `✅ ${provider.label} saved!` });
  }

  closed(): void {
    this.hub.remove(this);
  }
}
