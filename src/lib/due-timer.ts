/** setTimeout's ceiling (~24.8 days); a later time is re-checked when this fires. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * One timer for "the next scheduled thing" (reminders, intentions): re-armed for the soonest
 * due time after every change, never keeping the process alive.
 */
export class DueTimer {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly fire: () => void) {}

  /** Fires at `atMs` (at once if past); nothing when `atMs` is not finite. Replaces any earlier arm. */
  arm(atMs: number): void {
    this.cancel();
    if (!Number.isFinite(atMs)) return;
    const delay = Math.min(Math.max(0, atMs - Date.now()), MAX_DELAY_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fire();
    }, delay);
    this.timer.unref();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
