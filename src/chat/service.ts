import crypto from 'node:crypto';
import type { SettingsStore } from '../config/settings-store.js';
import type { InboundFilter } from '../security/injection/inbound-filter.js';
import { createStreamRedactor } from '../security/stream-redactor.js';
import { toSessionId } from '../sessions/ids.js';
import type { SessionService } from '../sessions/service.js';
import { nowIso } from '../lib/time.js';
import { loadAgentModules, runAgent } from './agent.js';
import { redactEvent } from './redact-event.js';
import type { SessionAliases } from '../sessions/aliases.js';
import { buildPromptHistory, readPromptHistory } from './prompt-history.js';
import { ModelCache } from './model-cache.js';
import { maxTurnsFor, type ModelResolver, type ResolvedModel } from '../models/resolver.js';
import { InvalidInputError, NotFoundError } from '../lib/errors.js';
import type { MediaStore } from '../media/store.js';
import type { StoredAttachment } from '../media/types.js';
import { imagePromptParts, lastUserAttachments, withImages } from '../media/turn.js';
import { workspaceDir } from '../tools/fs/jail.js';
import { applyBranchAction, BUSY, checkBranchAction, type BranchTarget, type TurnAction } from './branch-actions.js';
import { continuePrompt, userMessage } from './turn-input.js';
import { mergeContinued, storedAnswer, TurnRecord, withoutInterruptedMarker } from './turn-record.js';
import { parseCommand, runCommand } from './slash-commands.js';
import { buildSystemPrompt, type PromptContributor } from './system-prompt.js';
import { generateTitle } from './titles.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { ToolContext, ToolGate } from '../tools/types.js';
import { withToolProfile, type ToolProfile } from '../tools/policy/policy.js';
import type { TurnQueue } from './turn-queue.js';
import type { TurnEnd, TurnSink } from './turn-sink.js';
import { TurnStart } from './turn-start.js';
import type { MessageRecord } from '../sessions/types.js';

export interface TurnInput {
  /** The chat's base key, e.g. `websocket:<uuid>`; aliases (/new) may redirect a plain chat. */
  baseKey: string;
  /** The user's text; empty for `regenerate` and `continue`. */
  text: string;
  /** Stored with the user message (spec §7.2). */
  metadata: Record<string, unknown>;
  /** Who sent it; the dashboard, REST and CLI are the owner. */
  sender?: string;
  /** Files sent with the message, already stored (spec §4.7). */
  attachments?: StoredAttachment[];
  /** What the turn does to the conversation tree; a branch action works on the session of `baseKey` itself, never an alias. */
  action?: TurnAction;
  /**
   * The chat's own model (`<provider>:<model id>`, already checked), stored on the session with
   * this turn's message: how a new chat, not stored yet, gets its model from the first answer on.
   */
  model?: string;
  /**
   * A tool profile for a turn someone other than the owner started (a channel or webhook user):
   * the stricter of this and the owner's `tool_profile` applies, so it can only take powers away.
   */
  toolProfile?: ToolProfile;
}

export const BLOCKED_NOTICE = 'Your message was flagged by the security scanner and blocked.';

export interface ChatDeps {
  home: string;
  settings: SettingsStore;
  sessions: SessionService;
  /** The stored files a turn's images are read from. */
  media: MediaStore;
  aliases: SessionAliases;
  models: ModelResolver;
  queue: TurnQueue;
  tools: ToolRegistry;
  /** Policy for tool calls; replaceable at start-up so safety lives in one place. */
  toolGate: ToolGate;
  promptContributors: PromptContributor[];
  inboundFilter?: InboundFilter;
}

/** Where one turn writes and what it answers. */
interface TurnPlan {
  baseKey: string;
  sessionKey: string;
  sessionId: string;
  channel: string;
  sender: string;
  /** The user's words the answer is for (memory recall, the system prompt). */
  userText: string;
  action: TurnAction;
  target?: BranchTarget;
  userMessageId?: string;
  toolProfile?: ToolProfile;
}

/**
 * The chat pipeline shared by every transport: slash commands, storing the user message
 * before the provider is called, the agent run, redaction of everything outbound, storing the
 * assistant message afterwards (also when stopped or failed), titles, and the branch actions of
 * the conversation tree (regenerate, edit, continue).
 */
export class ChatService {
  private readonly active = new Map<string, AbortController>();
  /** Aborted on shutdown so no turn outlives the process. */
  private readonly shutdown = new AbortController();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly models: ModelCache;

  constructor(private readonly deps: ChatDeps) {
    this.models = new ModelCache(deps.models);
  }

  /**
   * Loads the AI SDK and the current provider in the background, so the first turn does not
   * wait for them (300–700 ms on a 2-core machine): called when a chat client connects, since a
   * message is likely to follow. Idle servers never load them (issue 14).
   */
  warmUp(): void {
    void Promise.all([loadAgentModules(), this.models.resolve(this.deps.settings.get(), null)]).catch(() => undefined);
  }

  /** The session key a chat currently writes to. */
  currentKey(baseKey: string): string {
    return this.deps.aliases.resolve(baseKey);
  }

  isRunning(baseKey: string): boolean {
    return this.active.has(toSessionId(this.currentKey(baseKey)));
  }

  /** Whether a turn is writing to this stored session right now. */
  isBusy(sessionId: string): boolean {
    return this.active.has(toSessionId(sessionId));
  }

  /** Stops the running turn of this chat; false when nothing was running. */
  stop(baseKey: string): boolean {
    const controller = this.active.get(toSessionId(this.currentKey(baseKey))) ?? this.active.get(toSessionId(baseKey));
    controller?.abort();
    return controller !== undefined;
  }

  /**
   * Checks a branch action (spec §4.7) before anything streams: throws a domain error when the
   * session is busy or the message does not fit the action.
   */
  checkAction(baseKey: string, action: Exclude<TurnAction, { kind: 'chat' }>): BranchTarget {
    const sessionId = toSessionId(baseKey);
    if (!this.deps.sessions.find(sessionId)) throw new NotFoundError('Session not found');
    if (this.isBusy(sessionId)) throw new InvalidInputError(BUSY);
    return checkBranchAction(this.deps.sessions, sessionId, action);
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
    const action = input.action ?? { kind: 'chat' };
    const command = action.kind === 'chat' ? parseCommand(input.text) : null;
    if (command) {
      const reply = await runCommand(command, {
        baseKey: input.baseKey, sessions: this.deps.sessions, aliases: this.deps.aliases,
        settings: this.deps.settings, owner: input.toolProfile === undefined, resolveModel: () => this.deps.models.resolve(this.deps.settings.get()),
      });
      sink.message(this.deps.sessions.redact(reply), 'command');
      sink.end({ usage: null, interrupted: false, failed: false });
      return;
    }

    const sessionKey = action.kind === 'chat' ? this.currentKey(input.baseKey) : input.baseKey;
    const sessionId = toSessionId(sessionKey);
    const plan: TurnPlan = {
      baseKey: input.baseKey, sessionKey, sessionId, channel: sessionKey.split(':')[0] || 'unknown',
      sender: input.sender ?? 'owner', userText: input.text, action, toolProfile: input.toolProfile,
    };
    const writesUserText = action.kind === 'chat' || action.kind === 'edit';
    if (writesUserText) {
      const verdict = this.deps.inboundFilter
        ? await this.deps.inboundFilter(input.text, { sessionKey, sender: plan.sender })
        : { action: 'allow' as const };
      if (verdict.action === 'block') {
        sink.event({ type: 'blocked', message: 'Message blocked by injection scanner', patterns: verdict.patterns }, sessionKey);
        sink.message(BLOCKED_NOTICE, 'blocked');
        sink.end({ usage: null, interrupted: false, failed: false });
        return;
      }
      if (verdict.action === 'wrap') plan.userText = verdict.text;
    }
    await this.deps.queue.inSession(sessionId, async () => {
      if (action.kind !== 'chat') {
        // Checked again inside the lock: the tree may have changed while this turn waited.
        plan.target = checkBranchAction(this.deps.sessions, sessionId, action);
        applyBranchAction(this.deps.sessions, sessionId, action, plan.target);
        if (action.kind !== 'edit') plan.userText = plan.target.message.content;
      }
      let user: MessageRecord | undefined;
      if (writesUserText) {
        plan.userMessageId = crypto.randomUUID();
        // The files go into the agent's workspace; the stored names are the copies' (spec §4.7).
        const prepared = userMessage(plan.userText, input, workspaceDir(this.deps.home, this.deps.settings.get()));
        user = { id: plan.userMessageId, role: 'user', content: prepared.content, timestamp: nowIso(), metadata: prepared.metadata };
      }
      const stored = user;
      const start = new TurnStart(async () => {
        if (!stored) return;
        // The fsync runs on the thread pool, so the model's first chunk is not held up by it;
        // the answer still waits for it (TurnStart).
        await this.deps.sessions.appendDurably(sessionId, plan.channel, [stored]);
        if (input.model) this.deps.sessions.setModel(sessionId, input.model);
      }, () => sink.started(sessionKey));
      // Registered before anything is awaited, so a stop sent at any point of the turn stops it
      // (rather than being answered "nothing running" while the model is still picked).
      const controller = new AbortController();
      this.active.set(sessionId, controller);
      try {
        // A new chat's own model comes with its first message and is stored with it.
        const chatModel = input.model ?? this.deps.sessions.find(sessionId)?.model ?? null;
        const resolved = await this.models.resolve(this.deps.settings.get(), chatModel);
        if (!resolved.provider) {
          await start.now();
          // The hint is guidance, not an answer: shown, never stored.
          sink.message(resolved.hint, 'no_model');
          sink.end({ usage: null, interrupted: false, failed: false, sessionId, userMessageId: plan.userMessageId });
          return;
        }
        // A turn that waits for another conversation's slot has its message stored while it waits.
        if (this.deps.queue.full) await start.now();
        let ran = false;
        await this.deps.queue.withSlot(() => {
          ran = true;
          return this.runModel(plan, resolved, controller, sink, start, user);
        }, controller.signal);
        // Stopped while waiting for a slot: nothing was generated, the turn just ends.
        if (!ran) sink.end({ usage: null, interrupted: true, failed: false, sessionId, userMessageId: plan.userMessageId });
      } catch (err) {
        // Whatever failed, the user's message is kept and the failure follows `started`, as when
        // the message was stored first. (If storing it is what failed, that error is reported.)
        await start.now();
        throw err;
      } finally {
        this.active.delete(sessionId);
      }
    });
  }

  /**
   * Asks the model and streams its answer. The user's message (`user`, not stored yet) is in the
   * prompt; it is stored right after the request has gone out (`start`, see TurnStart).
   */
  private async runModel(
    plan: TurnPlan, resolved: ResolvedModel, controller: AbortController, sink: TurnSink, start: TurnStart, user: MessageRecord | undefined,
  ): Promise<void> {
    const { sessionId, channel, sessionKey } = plan;
    const settings = withToolProfile(this.deps.settings.get(), plan.toolProfile);
    const signal = AbortSignal.any([controller.signal, this.shutdown.signal]);
    const toolContext: ToolContext = {
      baseKey: plan.baseKey, sessionKey, sessionId, channel, sender: plan.sender, home: this.deps.home, settings,
      sessions: this.deps.sessions, aliases: this.deps.aliases, signal,
    };
    const budget = {
      recentWindow: settings.compaction_recent_window,
      charBudget: settings.compaction_char_budget,
      summaryChars: settings.compaction_summary_chars,
    };
    // The model's own context: raw (clients get `history()`, which is redacted).
    const continued = plan.action.kind === 'continue' ? plan.target?.message : undefined;
    const stored = (n: number) => this.deps.sessions.rawHistory(sessionId, n);
    const history = readPromptHistory(user ? (n) => (n > 0 ? [...stored(n - 1), user] : []) : stored, budget, continued ? 1 : 0);
    const messages = buildPromptHistory(continued ? history.slice(0, -1) : history, budget);
    if (continued) messages.push(...continuePrompt(continued.content));
    // The answered message's images, when the model can see them; else a notice that it got only names.
    const images = await imagePromptParts(continued ? [] : lastUserAttachments(history, this.deps.media), resolved, settings);
    const system = await buildSystemPrompt(this.deps.home, this.deps.promptContributors, { sessionKey, sender: plan.sender, userText: plan.userText });
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
    const record = new TurnRecord();
    let usage: TurnEnd['usage'] = null;

    // The request goes out first; the message is stored on the next turn of the event loop,
    // while the provider works on it, and the agent yields and runs tools only after that. (The
    // SDK is loaded first, so the request is sent within this turn of the loop.)
    await loadAgentModules();
    const ready = start.afterDispatch();
    const events = runAgent({
      model: resolved.model,
      providerName: resolved.provider,
      system,
      messages: withImages(messages, images.parts),
      tools: this.deps.tools.toolSet(toolContext, this.deps.toolGate),
      maxSteps: maxTurnsFor(settings),
      signal,
      idleTimeoutMs: settings.llm_idle_timeout_seconds * 1000,
      maxRetries: settings.llm_max_retries,
      ready,
    })[Symbol.asyncIterator]();
    const first = events.next();
    try {
      await ready;
    } catch (err) {
      controller.abort(); // the message could not be stored: the request is withdrawn, the failure reported
      throw err;
    }
    if (images.notice) sink.message(images.notice, 'vision');
    try {
      for (let next = await first; !next.done; next = await events.next()) {
        const event = next.value;
        record.observe(event);
        if (event.type === 'text') {
          flushThinking();
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
        sink.event(redactEvent(event, secrets), sessionKey);
      }
    } finally {
      await events.return(undefined); // as `for await` would when the loop ends early: the agent's stream is closed
    }
    flushThinking();
    flushText();

    const interrupted = controller.signal.aborted || this.shutdown.signal.aborted;
    const metadata = record.metadata({ interrupted: interrupted && record.answer !== '', model: `${resolved.provider}:${resolved.modelId}` });
    const end: TurnEnd = { usage, interrupted, failed: record.error !== '', sessionId, userMessageId: plan.userMessageId };
    // A session the turn itself cleared or deleted (a session tool) is not brought back by its answer.
    if (record.hasContent && this.deps.sessions.find(sessionId)) {
      if (continued) {
        // The stopped answer grows in place: one message, as if it had never stopped.
        const content = storedAnswer(withoutInterruptedMarker(continued.content) + record.answer, interrupted);
        this.deps.sessions.updateMessage(sessionId, continued.id, content, mergeContinued(continued.metadata, metadata));
        end.messageId = continued.id;
      } else {
        // A failed turn keeps its partial answer and says why in `metadata.error`; the prompt
        // builder never sends it back to the model.
        end.messageId = crypto.randomUUID();
        const session = this.deps.sessions.append(sessionId, channel, [{
          id: end.messageId, role: 'assistant', content: storedAnswer(record.answer, interrupted), timestamp: nowIso(), metadata,
        }]);
        if (!interrupted && !record.error) this.maybeTitle(session.id, session.message_count, resolved.model, history, record.answer);
      }
    }
    sink.end(end);
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
