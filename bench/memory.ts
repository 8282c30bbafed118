/**
 * Long-term memory benchmark: `recall` latency at 100,000 memories.
 *
 *   npx tsx bench/memory.ts            # JSON on stdout, progress on stderr
 *   BENCH_MEMORIES=20000 npx tsx bench/memory.ts
 *
 * Seeds a fresh database through MemoryStore in one transaction (90% owner memories, 10% spread
 * over 50 other senders; English-like sentences, ~40% with a common word, ~5% Chinese/Japanese/Korean
 * ones; a rare word in exactly 5 owner memories), then times, in process, the `recall` tool (search + formatting)
 * for several query shapes, the prompt contributor that runs on every turn, and `forget`'s
 * all-terms search. Every answer is checked; a wrong one aborts the run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { settingsSchema } from '../src/config/settings.js';
import type { SettingsStore } from '../src/config/settings-store.js';
import { OWNER_SCOPE, senderHash } from '../src/memory/ids.js';
import { createMemoryPromptContributor } from '../src/memory/prompt.js';
import { MemoryStore, type NewMemory } from '../src/memory/store.js';
import { createMemoryTools } from '../src/memory/tools.js';
import { openDatabase } from '../src/store/db.js';
import type { ToolContext } from '../src/tools/types.js';
import { expect, stats, type Stats } from './http-timing.js';
import { COMMON_FRACTION, COMMON_WORD, pick, prng, RARE_COUNT, RARE_WORD, sentence } from './text.js';

const N = Number(process.env.BENCH_MEMORIES ?? 100_000);
const WARMUP = 30;
const MEASURED = 300;
const CJK = ['我住在东京，喜欢吃寿司和拉面。', '周末我们去公园散步。', '東京タワーの近くで働いています。', '明日は雨が降るそうです。', '서울에서 커피를 마셨어요.'];

const t0 = Date.now();
const log = (msg: string) => process.stderr.write(`[memory bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}\n`);

function timeIt(fn: () => unknown, n = MEASURED, warmup = WARMUP): Stats {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return stats(samples);
}

async function timeAsync(fn: () => Promise<unknown>, n = MEASURED, warmup = WARMUP): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return stats(samples);
}

async function main(): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pocketpaw-memory-bench-'));
  const db = openDatabase(path.join(home, 'pocketpaw.db'));
  try {
    const store = new MemoryStore(db, home);
    const rand = prng(42);
    const rareAt = new Set(Array.from({ length: RARE_COUNT }, (_, i) => Math.floor(((i + 1) * N) / (RARE_COUNT + 1))));
    const items: NewMemory[] = [];
    for (let i = 0; i < N; i++) {
      const scope = rand() < 0.9 || rareAt.has(i) ? OWNER_SCOPE : senderHash(`sender-${Math.floor(rand() * 50)}`);
      const content = rareAt.has(i) ? sentence(rand, [RARE_WORD]) : rand() < 0.05 ? `${pick(rand, CJK)} #${i}` : `${sentence(rand, rand() < COMMON_FRACTION ? [COMMON_WORD] : [])} (${i})`;
      items.push({ scope, content, tags: rand() < 0.2 ? [pick(rand, ['preference', 'project', 'personal', 'travel'])] : [] });
    }
    log(`seeding ${N} memories in one transaction`);
    const seedStart = Date.now();
    db.pragma('synchronous = OFF');
    const added = store.addMany(items);
    db.pragma('synchronous = FULL');
    const seedMs = Date.now() - seedStart;
    expect(added === N, `seeded ${added} of ${N}`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('ANALYZE');
    const dbBytes = fs.statSync(path.join(home, 'pocketpaw.db')).size;
    const owner = store.stats().owner;
    log(`seeded in ${seedMs} ms (${owner} owner memories), db ${(dbBytes / 1e6).toFixed(1)} MB`);

    const settings = settingsSchema.parse({});
    const ctx = {
      baseKey: 'websocket:bench', sessionKey: 'websocket:bench', sessionId: 'websocket_bench', channel: 'websocket', sender: 'owner',
      home, settings, sessions: undefined as never, aliases: undefined as never, signal: new AbortController().signal,
    } satisfies ToolContext;
    const [, recall, forget] = createMemoryTools(store);
    const settingsStore = { get: () => settings } as unknown as SettingsStore;
    const contributor = createMemoryPromptContributor(store, settingsStore);

    const queries: Record<string, { q: string; check: (out: string) => boolean }> = {
      rare_word: { q: RARE_WORD, check: (o) => o.startsWith(`Found ${RARE_COUNT} memories`) },
      common_word: { q: COMMON_WORD, check: (o) => o.startsWith('Found 5 memories') },
      natural_question: { q: 'what did I say about the coffee and the kitchen plan?', check: (o) => o.startsWith('Found 5 memories') },
      many_terms: { q: 'trip train flight hotel museum beach mountain river city village map budget', check: (o) => o.startsWith('Found 5 memories') },
      cjk: { q: '东京的寿司', check: (o) => o.startsWith('Found 5 memories') },
      no_match: { q: 'xylophonequartz', check: (o) => o.startsWith('No memories found') },
    };
    const recallStats: Record<string, Stats> = {};
    for (const [name, { q, check }] of Object.entries(queries)) {
      const out = await recall!.execute({ query: q }, ctx);
      expect(check(out), `recall ${name}: unexpected answer ${out.slice(0, 120)}`);
      recallStats[name] = await timeAsync(() => recall!.execute({ query: q }, ctx));
      log(`recall ${name}: p50 ${recallStats[name]!.p50_ms} ms, p99 ${recallStats[name]!.p99_ms} ms`);
    }

    const promptCtx = { sessionKey: 'websocket:bench', sender: 'owner', userText: 'Can you plan a cheap train trip to the mountain village next weekend?' };
    const prompt = String(await contributor(promptCtx));
    expect(prompt.includes('# Long-term memory') && prompt.length > 1000, 'prompt contributor: no memory block');
    const promptStats = await timeAsync(async () => contributor(promptCtx));
    log(`prompt contributor: p50 ${promptStats.p50_ms} ms, p99 ${promptStats.p99_ms} ms`);

    const forgetSearch = timeIt(() => store.search(OWNER_SCOPE, `${COMMON_WORD} tomato`, 5, 'all'));
    expect(store.search(OWNER_SCOPE, `${COMMON_WORD} tomato`, 5, 'all').length > 0, 'forget search found nothing');
    // One real forget at the end (it deletes), checked.
    const forgot = await forget!.execute({ query: RARE_WORD }, ctx);
    expect(forgot.startsWith(`Forgot ${RARE_COUNT} memory(ies)`), `forget: ${forgot.slice(0, 80)}`);

    const result = {
      memories: N,
      owner_memories: owner,
      seed: { ms: seedMs, per_second: Math.round((N / seedMs) * 1000), db_bytes: dbBytes },
      recall: recallStats,
      prompt_contributor: promptStats,
      forget_search_all_terms: forgetSearch,
      node: process.version,
      cpus: os.cpus().length,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    db.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
