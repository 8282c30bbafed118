import type { ChannelAdapter, SentMessage } from './types.js';

/**
 * Splits text into pieces of at most `max` characters, at a paragraph, line or word break when
 * one is near the end, so a long answer reads as several whole messages.
 */
export function splitMessage(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const cut = breakPoint(rest, max);
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\s+/, '');
  }
  if (rest.trim()) out.push(rest);
  return out;
}

/** Where to end a message of at most `max` characters. */
export function breakPoint(text: string, max: number): number {
  const window = text.slice(0, max);
  // Only break early if that keeps at least half the message; else cut at the limit.
  for (const sep of ['\n\n', '\n', ' ']) {
    const at = window.lastIndexOf(sep);
    if (at >= max / 2) return at + sep.length;
  }
  // Never cut a surrogate pair in half.
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}

/**
 * One answer on a platform, as it streams: the first words are sent at once, later words edit
 * that message no more often than the platform allows, and an answer longer than one message
 * continues in a new one. On a platform that cannot edit, the answer is sent whole at the end.
 * Platform calls run one at a time, in order; a failed call is logged and the next flush tries
 * again with the whole text, so a transient error loses nothing but an intermediate edit.
 */
export class ReplyStream {
  /** The part of the answer that belongs in the current (last) message. */
  private text = '';
  private current: SentMessage | null = null;
  /** What the current message shows on the platform. */
  private shown = '';
  private lastEdit = 0;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  /** When the first piece of the answer reached the platform (for the latency benchmark). */
  firstSentAt: number | null = null;

  constructor(
    private readonly adapter: ChannelAdapter,
    private readonly chatId: string,
    private readonly log: (message: string) => void,
  ) {}

  push(delta: string): void {
    this.text += delta;
    if (!this.adapter.limits.canEdit) return;
    const { maxChars } = this.adapter.limits;
    while (this.text.length > maxChars) {
      const cut = breakPoint(this.text, maxChars);
      this.settle(this.text.slice(0, cut).trimEnd());
      this.text = this.text.slice(cut).replace(/^\s+/, '');
    }
    this.schedule();
  }

  /** A whole message that is not part of the streamed answer (a command reply, an error). */
  note(text: string): void {
    this.enqueue(async () => {
      for (const piece of splitMessage(text, this.adapter.limits.maxChars)) await this.sendPiece(piece);
    });
  }

  /** Shows the rest of the answer and waits until every platform call is done. */
  async finish(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.adapter.limits.canEdit) {
      // The last edit keeps the platform's interval too (an early one risks a 429 and its wait).
      const wait = this.lastEdit + this.adapter.limits.editIntervalMs - Date.now();
      if (this.lastEdit && wait > 0 && this.text !== this.shown) await new Promise((r) => setTimeout(r, wait));
      this.flush();
    }
    else if (this.text.trim()) this.note(this.text);
    this.text = '';
    await this.chain;
  }

  /** The current message is complete: show `head` in it and start a new one for what follows. */
  private settle(head: string): void {
    // Read `current` when the step runs: a send queued before it may not have returned yet.
    this.enqueue(async () => {
      const message = this.current;
      this.current = null;
      this.shown = '';
      if (message) await this.adapter.edit(message, head);
      else await this.sendPiece(head);
    });
  }

  private schedule(): void {
    if (this.timer) return;
    // The first words go out at once, in this tick: a timer would wait behind the rest of the
    // turn (a short answer is stored, synchronously, before a 0 ms timer fires).
    if (!this.lastEdit) return this.flush();
    const wait = Math.max(0, this.lastEdit + this.adapter.limits.editIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  private flush(): void {
    const text = this.text;
    if (!text.trim() || text === this.shown) return;
    this.lastEdit = Date.now();
    this.enqueue(async () => {
      if (this.current) {
        await this.adapter.edit(this.current, text);
      } else {
        this.current = await this.sendPiece(text);
      }
      this.shown = text;
    });
  }

  private async sendPiece(text: string): Promise<SentMessage> {
    const sent = await this.adapter.send(this.chatId, text);
    this.firstSentAt ??= Date.now();
    return sent;
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((err: unknown) => {
      this.log(`could not deliver to ${this.chatId}: ${(err as Error)?.message ?? String(err)}`);
    });
  }
}
