import { INTERRUPTED_MARKER, type ToolStep } from '../protocol/sessions.js';
import type { AgentEvent } from './agent-events.js';

/** Stored tool results and reasoning are cut to these many characters (spec §4.7). */
export const STEP_RESULT_CHARS = 4_000;
export const REASONING_CHARS = 20_000;

export { INTERRUPTED_MARKER };

interface OpenStep extends ToolStep {
  startedAt: number;
  done: boolean;
}

/**
 * What the agent did during a turn, collected from its events so it can be stored with the
 * answer and shown again after a reload: tool steps (input, result, status, duration) and
 * reasoning. Values are raw here; everything read back for a client is redacted.
 */
export class TurnRecord {
  answer = '';
  error = '';
  private reasoningText = '';
  private readonly steps: OpenStep[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  observe(e: AgentEvent): void {
    switch (e.type) {
      case 'text':
        this.answer += e.delta;
        return;
      case 'thinking':
        if (this.reasoningText.length < REASONING_CHARS) this.reasoningText += e.delta;
        return;
      case 'tool_start':
        this.steps.push({
          name: e.name, params: e.params, result: '', status: 'success', startedAt: this.now(), done: false,
          ...(e.server ? { server: e.server } : {}),
        });
        return;
      case 'tool_result': {
        // Results arrive in call order per tool name; pair each with the oldest open call of that name.
        const step = this.steps.find((s) => !s.done && s.name === e.name);
        if (!step) return;
        step.done = true;
        step.result = e.result.length > STEP_RESULT_CHARS ? `${e.result.slice(0, STEP_RESULT_CHARS)}…` : e.result;
        step.status = e.status;
        step.duration_ms = Math.round(this.now() - step.startedAt);
        return;
      }
      case 'error':
        this.error = e.message;
        return;
      default:
    }
  }

  /** Whether there is anything worth storing as an answer. */
  get hasContent(): boolean {
    return this.answer !== '' || this.steps.length > 0 || this.error !== '';
  }

  /**
   * The assistant message's metadata (spec §4.7): only the keys that apply, so an ordinary answer
   * stays `{}` as PocketPaw writes it.
   */
  metadata(extra: { interrupted: boolean; model?: string }): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.steps.length) {
      out.steps = this.steps.map(({ startedAt: _s, done, ...step }) =>
        done ? step : { ...step, status: 'error', result: step.result || 'No result (the turn ended first).' });
    }
    const reasoning = this.reasoningText.slice(0, REASONING_CHARS);
    if (reasoning.trim()) out.reasoning = reasoning;
    if (this.error) out.error = this.error;
    if (extra.interrupted) out.interrupted = true;
    if (extra.model) out.model = extra.model;
    return out;
  }
}

/** Stored content of an answer: PocketPaw's interruption suffix when stopped, never an error note. */
export function storedAnswer(answer: string, interrupted: boolean): string {
  return interrupted && answer ? answer + INTERRUPTED_MARKER : answer;
}

/** The answer part of stored content (what `continue` extends). */
export function withoutInterruptedMarker(content: string): string {
  return content.endsWith(INTERRUPTED_MARKER) ? content.slice(0, -INTERRUPTED_MARKER.length) : content;
}

/**
 * A continued answer's metadata: the earlier steps and reasoning, then the new ones; the new
 * run decides whether it is still interrupted or failed.
 */
export function mergeContinued(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const { interrupted: _i, error: _e, ...kept } = before;
  const steps = [...(Array.isArray(before.steps) ? before.steps : []), ...(Array.isArray(after.steps) ? after.steps : [])];
  const reasoning = [before.reasoning, after.reasoning].filter((r) => typeof r === 'string' && r).join('\n\n');
  return {
    ...kept, ...after,
    ...(steps.length ? { steps } : {}),
    ...(reasoning ? { reasoning: reasoning.slice(0, REASONING_CHARS) } : {}),
  };
}
