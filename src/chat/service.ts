import crypto from 'node:crypto';
import type { SettingsStore } from '../config/settings-store.js';
import type { InboundFilter } from '../security/injection/inbound-filter.js';
import { redact } from '../security/redact.js';
import { createStreamRedactor } from '../security/stream-redactor.js';
import type { SecretValues } from '../security/secret-values.js';
import { toSessionId } from '../sessions/ids.js';
import type { SessionService } from '../sessions/service.js';
import { nowIso } from '../lib/time.js';
import { runAgent } from './agent.js';
import type { AgentEvent } from './agent-events.js';
import type { SessionAliases } from '../sessions/aliases.js';
import { buildPromptHistory, historyFetchLimit } from './prompt-history.js';
import { maxTurnsFor, type ModelResolver } from '../models/resolver.js';
import { parseCommand, runCommand } from './slash-commands.js';
import { buildSystemPrompt, type PromptContributor } from './system-prompt.js';
import { generateTitle } from './titles.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { ToolContext, ToolGate } from '../tools/types.js';
import type { StoredAttachment } from '../media/types.js';
import type { TurnQueue } from './turn-queue.js';
import type { TurnEnd, TurnSink } from './turn-sink.js';

export const INTERRUPTED_MARKER = '\n\n[Response interrupted]';

export interface TurnInput {
  /** The chat's base key, e.g. `websocket:<uuid>`; aliases (/new) may redirect it. */
  baseKey: string;
  text: string;
  /** Stored with the user message (spec §7.2). */
  metadata: Record<string, unknown>;
  /** Who sent it; the dashboard, REST and CLI are the owner. */
  sender?: string;
  /** Files sent with the message, already stored (spec §4.7). */
  attachments?: StoredAttachment[];
}

export const BLOCKED_NOTICE = 'Your message was flagged by the security scanner and blocked.';

export interface ChatDeps {
  home: string;
  settings: SettingsStore;
  sessions: SessionService;
  aliases: SessionAliases;
  models: ModelResolver;
  queue: TurnQueue;
  tools: ToolRegistry;
  /** Policy for tool calls; replaceable at start-up so safety lives in one place. */
  toolGate: ToolGate;
  promptContributors: PromptContributor[];
  inboundFilter?: InboundFilter;
}

/**
 * The chat pipeline shared by every transport: slash commands, storing the user message
 * before the provider is called, the agent run, redaction of everything outbound, storing the
 * assistant message afterwards (also when stopped or failed), and titles.
 */
export class ChatService {
  private readonly active = new Map<string, AbortController>();
  /** Aborted on shutdown so no turn outlives the process. */
  private readonly shutdown = new AbortController();
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly deps: ChatDeps) {}

  /** The session key a chat currently writes to. */
  currentKey(baseKey: string): string {
    return this.deps.aliases.resolve(baseKey);
  }

  isRunning(baseKey: string): boolean {
    return this.active.has(toSessionId(this.currentKey(baseKey)));
  }

  /** Stops the running turn of this chat; false when nothing was running. */
  stop(baseKey: string): boolean {
    const controller = this.active.get(toSessionId(this.currentKey(baseKey)));
    controller?.abort();
    return controller !== undefined;
  }

  /** Runs one turn to completion. Never throws: failures reach the sink as a message. */
  runTurn(input: TurnInput, sink: TurnSink): Promise<void> {
    const turn = this.turn(input, sink).catch((err: unknown) => {
      sink.message(`An error occurred: ${this.deps.sessions.redact((err as Error)?.message ?? String(err))}`, 'failure');
      sink.end({ usage: null, interrupted: false, failed: true });
    });
    this.pending.add(turn);
    void turn.finally(() => this.pending.delete(turn));
    return turn;
  }

  private async turn(input: TurnInput, sink: TurnSink): Promise<void> {
    const command = parseCommand(input.text);
    if (command) {
      const reply = await runCommand(command, {
        baseKey: input.baseKey, sessions: this.deps.sessions, aliases: this.deps.aliases,
        settings: this.deps.settings, resolveModel: () => this.deps.models.resolve(this.deps.settings.get()),
      });
      sink.message(this.deps.sessions.redact(reply), 'command');
      sink.end({ usage: null, interrupted: false, failed: false });
      return;
    }

    const sessionKey = this.currentKey(input.baseKey);
    const sessionId = toSessionId(sessionKey);
    const channel = sessionKey.split(':')[0] || 'unknown';
    const sender = input.sender ?? 'owner';
    let text = input.text;
    const verdict = this.deps.inboundFilter ? await this.deps.inboundFilter(text, { sessionKey, sender }) : { action: 'allow' as const };
    if (verdict.action === 'block') {
      sink.event({ type: 'blocked', message: 'Message blocked by injection scanner', patterns: verdict.patterns }, sessionKey);
      sink.message(BLOCKED_NOTICE, 'blocked');
      sink.end({ usage: null, interrupted: false, failed: false });
      return;
    }
    if (verdict.action === 'wrap') text = verdict.text;
    await this.deps.queue.inSession(sessionId, async () => {
      this.deps.sessions.append(sessionId, channel, [{
        id: crypto.randomUUID(), role: 'user', content: text, timestamp: nowIso(), metadata: input.metadata,
      }]);
      sink.started(sessionKey);
      // Registered before anything is awaited, so a stop sent at any point of the turn stops it
      // (rather than being answered "nothing running" while the model is still picked).
      const controller = new AbortController();
      this.active.set(sessionId, controller);
      try {
        const resolved = await this.deps.models.resolve(this.deps.settings.get());
        if (!resolved.provider) {
          // The hint is guidance, not an answer: shown, never stored.
          sink.message(resolved.hint, 'no_model');
          sink.end({ usage: null, interrupted: false, failed: false });
          return;
        }
        let ran = false;
        await this.deps.queue.withSlot(() => {
          ran = true;
          return this.runModel({ baseKey: input.baseKey, sessionId, channel, sessionKey, sender, userText: text }, resolved, controller, sink);
        }, controller.signal);
        // Stopped while waiting for a slot: nothing was generated, the turn just ends.
        if (!ran) sink.end({ usage: null, interrupted: true, failed: false });
      } finally {
        this.active.delete(sessionId);
      }
    });
  }

  private async runModel(
    turn: { baseKey: string; sessionId: string; channel: string; sessionKey: string; sender: string; userText: string },
    resolved: Extract<Awaited<ReturnType<ModelResolver['resolve']>>, { provider: string }>,
    controller: AbortController, sink: TurnSink,
  ): Promise<void> {
    const { sessionId, channel, sessionKey } = turn;
    const settings = this.deps.settings.get();
    const signal = AbortSignal.any([controller.signal, this.shutdown.signal]);
    const toolContext: ToolContext = {
      baseKey: turn.baseKey, sessionKey, sessionId, channel, sender: turn.sender, home: this.deps.home, settings,
      sessions: this.deps.sessions, aliases: this.deps.aliases, signal,
    };
    const budget = {
      recentWindow: settings.compaction_recent_window,
      charBudget: settings.compaction_char_budget,
      summaryChars: settings.compaction_summary_chars,
    };
    // The model's own context: raw (clients get `history()`, which is redacted).
    const history = this.deps.sessions.rawHistory(sessionId, historyFetchLimit(budget));
    // Answer and reasoning are two streams; a secret may be split across deltas of either.
    // Both know the exact secret values (master token, saved keys) as well as the patterns.
    const secrets = this.deps.sessions.secrets;
    const redactor = createStreamRedactor(secrets);
    const thoughts = createStreamRedactor(secrets);
    // What a redactor holds back is emitted before the next event of another kind: usage and
    // errors come after the answer, tool calls after the text that announced them, and a
    // secret never spans two kinds.
    const flushText = () => {
      const held = redactor.flush();
      if (held) sink.text(held);
    };
    const flushThinking = () => {
      const held = thoughts.flush();
      if (held) sink.event({ type: 'thinking', delta: held }, sessionKey);
    };
    let answer = '';
    let errorText = '';
    let usage: TurnEnd['usage'] = null;

    for await (const event of runAgent({
      model: resolved.model,
      providerName: resolved.provider,
      system: await buildSystemPrompt(this.deps.home, this.deps.promptContributors, { sessionKey, sender: turn.sender, userText: turn.userText }),
      messages: buildPromptHistory(history, budget),
      tools: this.deps.tools.toolSet(toolContext, this.deps.toolGate),
      maxSteps: maxTurnsFor(settings),
      signal,
      idleTimeoutMs: settings.llm_idle_timeout_seconds * 1000,
      maxRetries: settings.llm_max_retries,
    })) {
      if (event.type === 'text') {
        flushThinking();
        answer += event.delta;
        const safe = redactor.push(event.delta);
        if (safe) sink.text(safe);
        continue;
      }
      if (event.type === 'thinking') {
        flushText();
        const safe = thoughts.push(event.delta);
        if (safe) sink.event({ type: 'thinking', delta: safe }, sessionKey);
        continue;
      }
      flushThinking();
      flushText();
      if (event.type === 'usage') usage = { input_tokens: event.input_tokens, output_tokens: event.output_tokens, total_tokens: event.total_tokens };
      if (event.type === 'error') errorText = event.message;
      sink.event(redactEvent(event, secrets), sessionKey);
    }
    flushThinking();
    flushText();

    const interrupted = controller.signal.aborted || this.shutdown.signal.aborted;
    let stored = answer;
    if (interrupted && answer) stored += INTERRUPTED_MARKER;
    const answerChars = stored.length;
    if (errorText) stored += `${stored ? '\n\n' : ''}[Error: ${errorText}]`;
    // A session the turn itself cleared or deleted (a session tool) is not brought back by its answer.
    if (stored && this.deps.sessions.find(sessionId)) {
      // The error note is kept for the user; `answer_chars` tells the prompt builder to send
      // only the real answer back to the model.
      const metadata = errorText ? { error: errorText, answer_chars: answerChars } : {};
      const session = this.deps.sessions.append(sessionId, channel, [{
        id: crypto.randomUUID(), role: 'assistant', content: stored, timestamp: nowIso(), metadata,
      }]);
      if (!interrupted && !errorText) this.maybeTitle(session.id, session.message_count, resolved.model, history, answer);
    }
    sink.end({ usage, interrupted, failed: errorText !== '' });
  }

  /** After the first exchange, a model-written title — in the background, never delaying the reply. */
  private maybeTitle(
    sessionId: string, messageCount: number,
    model: Parameters<typeof generateTitle>[0], history: { role: string; content: string }[], answer: string,
  ): void {
    if (!this.deps.settings.get().auto_title_llm || messageCount !== 2) return;
    const firstUser = history.find((m) => m.role === 'user')?.content;
    if (!firstUser) return;
    const job = generateTitle(model, firstUser, answer, this.shutdown.signal).then((title) => {
      if (title && this.deps.sessions.find(sessionId)) this.deps.sessions.setAutoTitle(sessionId, title);
    });
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  /** Aborts running turns (their partial answers are stored) and waits for them to finish. */
  async close(): Promise<void> {
    this.shutdown.abort();
    await Promise.allSettled([...this.pending]);
  }
}

function redactEvent(e: AgentEvent, secrets: SecretValues): AgentEvent {
  switch (e.type) {
    case 'tool_result': return { ...e, result: redact(e.result, secrets) };
    case 'tool_start': {
      const json = redact(JSON.stringify(e.params ?? {}), secrets);
      try {
        return { ...e, params: JSON.parse(json) as unknown };
      } catch {
        return { ...e, params: json }; // redaction cut through JSON syntax: show it as text
      }
    }
    case 'error': return { ...e, message: redact(e.message, secrets) };
    default: return e;
  }
}
