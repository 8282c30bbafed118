import crypto from 'node:crypto';
import type { McpServerConfig } from '../types.js';

/** How long the owner has to finish signing in: the callback after this is refused. */
export const FLOW_TTL_MS = 10 * 60 * 1000;
/** At most this many flows wait at once; starting another drops the oldest. */
export const MAX_PENDING_FLOWS = 32;
/** Longer `state` values are not ours; refused before hashing. */
const MAX_STATE_LENGTH = 256;

export interface PendingFlow {
  server: McpServerConfig;
  /** The PKCE verifier of this flow (never written to disk). */
  codeVerifier?: string;
  /** The owner's browser was sent to sign in: only such a flow can be completed. */
  redirected?: boolean;
  expiresAt: number;
}

/**
 * The sign-ins waiting for their callback, keyed by the `state` sent to the authorization
 * server. A state is 256 random bits, used once (taken before its code is exchanged, even if
 * the exchange then fails) and expires after FLOW_TTL_MS. The map is keyed by the state's
 * SHA-256, so the lookup's timing says nothing useful about a state an attacker guesses.
 */
export class PendingFlows {
  private readonly flows = new Map<string, PendingFlow>();

  constructor(private readonly now: () => number = Date.now, private readonly ttlMs = FLOW_TTL_MS) {}

  private static key(state: string): string {
    return crypto.createHash('sha256').update(state).digest('base64url');
  }

  /** A new state for a flow of `server`. */
  issue(server: McpServerConfig): string {
    this.dropExpired();
    while (this.flows.size >= MAX_PENDING_FLOWS) this.flows.delete(this.flows.keys().next().value!);
    const state = crypto.randomBytes(32).toString('base64url');
    this.flows.set(PendingFlows.key(state), { server, expiresAt: this.now() + this.ttlMs });
    return state;
  }

  /** The flow of `state` while it waits (to attach its verifier); null once taken or expired. */
  peek(state: string): PendingFlow | null {
    const flow = this.flows.get(PendingFlows.key(state));
    return flow && flow.expiresAt > this.now() ? flow : null;
  }

  /** Removes and returns the flow of `state`: null when unknown, already used, or expired. */
  take(state: string): PendingFlow | null {
    if (typeof state !== 'string' || state.length === 0 || state.length > MAX_STATE_LENGTH) return null;
    const key = PendingFlows.key(state);
    const flow = this.flows.get(key);
    if (!flow) return null;
    this.flows.delete(key);
    return flow.expiresAt > this.now() ? flow : null;
  }

  get size(): number {
    return this.flows.size;
  }

  clear(): void {
    this.flows.clear();
  }

  private dropExpired(): void {
    const now = this.now();
    for (const [key, flow] of this.flows) if (flow.expiresAt <= now) this.flows.delete(key);
  }
}
