import http from 'node:http';

/**
 * A sequential HTTP client over one keep-alive socket, timing each request from the moment it
 * is sent until the last byte of the response arrives. The response is parsed after the clock
 * stops, so client-side JSON parsing is not part of the figure.
 */
export interface TimedResponse {
  status: number;
  body: unknown;
  ms: number;
}

export class BenchClient {
  // Up to 8 sockets for the operations that keep 8 requests in flight; a sequential operation
  // reuses one idle keep-alive socket.
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  private readonly url: URL;

  constructor(baseUrl: string, private readonly token?: string) {
    this.url = new URL(baseUrl);
  }

  request(method: string, path: string, json?: unknown): Promise<TimedResponse> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let payload: string | undefined;
    if (json !== undefined) {
      payload = JSON.stringify(json);
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const start = process.hrtime.bigint();
      const req = http.request(
        { hostname: this.url.hostname, port: this.url.port, path, method, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const ms = Number(process.hrtime.bigint() - start) / 1e6;
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            if (String(res.headers['content-type'] ?? '').includes('json')) {
              try {
                body = JSON.parse(text);
              } catch {
                // leave as text; the check will fail
              }
            }
            resolve({ status: res.statusCode ?? 0, body, ms });
          });
        },
      );
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface Stats {
  n: number;
  p50_ms: number;
  p99_ms: number;
  mean_ms: number;
  min_ms: number;
  max_ms: number;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Percentiles by nearest rank. */
export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    n: sorted.length,
    p50_ms: round(rank(0.5)),
    p99_ms: round(rank(0.99)),
    mean_ms: round(mean),
    min_ms: round(sorted[0]!),
    max_ms: round(sorted[sorted.length - 1]!),
  };
}

export class BenchCheckError extends Error {}

export interface OperationSpec {
  name: string;
  warmup: number;
  measured: number;
  /** If the warm-up shows the operation is slow, measure fewer requests to stay within this. */
  budgetMs?: number;
  /** Minimum measured requests when the budget cuts the count. */
  minMeasured?: number;
  /**
   * Requests sent at once (default 1): `warmup` and `measured` then count bursts of this many,
   * each request timed on its own.
   */
  inflight?: number;
  /** The i-th request (warm-up requests come first, then measured ones). */
  request: (i: number) => { method: string; path: string; json?: unknown };
  /** Throws (BenchCheckError) when the response is not what a working server returns. */
  check: (res: TimedResponse, i: number) => void;
}

/** One operation against one server: the same operation runs against every scale's server. */
export interface Target {
  client: BenchClient;
  spec: OperationSpec;
}

/**
 * Runs warm-up then measured requests for the same operation on several servers, interleaved
 * request by request (alternating the order each round), so background load on the machine
 * falls on every scale alike and the ratios between scales stay meaningful. Requests are
 * sequential, and every response is checked. Returns one Stats per target.
 */
export async function measureInterleaved(targets: Target[]): Promise<Stats[]> {
  const counters = targets.map(() => 0);
  const one = async (t: number): Promise<number[]> => {
    const { client, spec } = targets[t]!;
    const first = counters[t]!;
    const burst = spec.inflight ?? 1;
    counters[t] = first + burst;
    return Promise.all(Array.from({ length: burst }, async (_, j) => {
      const i = first + j;
      const r = spec.request(i);
      const res = await client.request(r.method, r.path, r.json);
      try {
        spec.check(res, i);
      } catch (err) {
        throw new BenchCheckError(
          `${spec.name}: ${r.method} ${r.path} → ${res.status}: ${(err as Error).message}; body: ${JSON.stringify(res.body).slice(0, 300)}`,
        );
      }
      return res.ms;
    }));
  };
  const order = (round: number) => {
    const idx = targets.map((_, t) => t);
    return round % 2 === 0 ? idx : idx.reverse();
  };

  const warm: number[][] = targets.map(() => []);
  const budget = Math.min(...targets.map((t) => t.spec.budgetMs ?? Infinity));
  const maxWarmup = Math.max(...targets.map((t) => t.spec.warmup));
  for (let w = 0; w < maxWarmup; w++) {
    for (const t of order(w)) if (w < targets[t]!.spec.warmup) warm[t]!.push(...(await one(t)));
    // A slow operation: a few warm-up requests are enough; keep the time for measuring.
    const spent = warm.flat().reduce((a, b) => a + b, 0);
    if (Number.isFinite(budget) && w >= 2 && spent > budget / 4) break;
  }

  const counts = targets.map((t) => t.spec.measured);
  if (Number.isFinite(budget)) {
    // Mean time of one round (one request to each server) from the warm-up.
    const round = warm.reduce((sum, times) => sum + (times.length ? times.reduce((a, b) => a + b, 0) / times.length : 0), 0);
    const affordable = Math.floor(budget / Math.max(round, 0.001));
    targets.forEach((t, k) => {
      counts[k] = Math.max(t.spec.minMeasured ?? 30, Math.min(t.spec.measured, affordable));
    });
  }
  const samples: number[][] = targets.map(() => []);
  for (let k = 0; k < Math.max(...counts); k++) {
    for (const t of order(k)) if (k < counts[t]!) samples[t]!.push(...(await one(t)));
  }
  return samples.map(stats);
}

export function expect(cond: unknown, message: string): asserts cond {
  if (!cond) throw new BenchCheckError(message);
}
