export interface LimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until a token is available again (or the bucket is full), rounded up. */
  resetSeconds: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

const IDLE_SWEEP_MS = 10 * 60_000;

/** In-memory token buckets, one per key (client IP, API key id), as spec §2.6. */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = Date.now();

  constructor(readonly refillPerSecond: number, readonly burst: number) {}

  take(key: string, now = Date.now()): LimitDecision {
    this.sweep(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updated: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updated) / 1000) * this.refillPerSecond);
    bucket.updated = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    const missing = allowed ? this.burst - bucket.tokens : 1 - bucket.tokens;
    return {
      allowed,
      limit: this.burst,
      remaining: Math.floor(bucket.tokens),
      resetSeconds: Math.max(allowed ? 0 : 1, Math.ceil(missing / this.refillPerSecond)),
    };
  }

  /** Forgets buckets idle long enough to be full again, so memory stays bounded. */
  private sweep(now: number): void {
    if (now - this.lastSweep < IDLE_SWEEP_MS) return;
    this.lastSweep = now;
    const fullAfterMs = (this.burst / this.refillPerSecond) * 1000;
    for (const [key, b] of this.buckets) {
      if (now - b.updated > fullAfterMs) this.buckets.delete(key);
    }
  }
}

export function rateLimitHeaders(d: LimitDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'x-ratelimit-limit': String(d.limit),
    'x-ratelimit-remaining': String(d.remaining),
    'x-ratelimit-reset': String(d.resetSeconds),
  };
  if (!d.allowed) headers['retry-after'] = String(d.resetSeconds);
  return headers;
}
