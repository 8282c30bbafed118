import type { Settings } from '../config/settings.js';
import { TokenBucketLimiter } from './token-bucket.js';

export interface Limiters {
  api: TokenBucketLimiter;
  auth: TokenBucketLimiter;
  ws: TokenBucketLimiter;
  /** Per API key; rebuilt lazily since each key shares the same rate. */
  apiKey: TokenBucketLimiter;
}

/** The limiters of spec §2.6, or null when `rate_limit_enabled` is off (spec §11.11). */
export function createLimiters(s: Settings): Limiters | null {
  if (!s.rate_limit_enabled) return null;
  return {
    api: new TokenBucketLimiter(s.rate_limit_api_per_second, s.rate_limit_api_burst),
    auth: new TokenBucketLimiter(s.rate_limit_auth_per_second, s.rate_limit_auth_burst),
    ws: new TokenBucketLimiter(s.rate_limit_ws_per_second, s.rate_limit_ws_burst),
    apiKey: new TokenBucketLimiter(s.api_rate_limit_per_key / 60, s.api_rate_limit_per_key),
  };
}
