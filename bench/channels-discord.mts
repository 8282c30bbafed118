/**
 * What the Discord adapter costs against the fake Discord on 127.0.0.1 (no network, so this is
 * discord.js + our code): JSON on stdout, progress on stderr.
 *
 *   npx tsx bench/channels-discord.mts
 *   BENCH_DISCORD_RUNS=20 BENCH_DISCORD_MESSAGES=500 npx tsx bench/channels-discord.mts
 *
 * - `start`: `start()` until READY (REST `GET /gateway/bot`, WebSocket, HELLO, IDENTIFY, READY,
 *   GUILD_CREATE), and `stop()`, per run.
 * - `inbound`: from the fake writing MESSAGE_CREATE to `onMessage`, one message at a time.
 * - `send` / `edit`: one REST round trip each through discord.js's rate-limit queue.
 */
import { performance } from 'node:perf_hooks';
import { discordAdapter } from '../src/channels/discord/adapter.js';
import type { InboundMessage } from '../src/channels/types.js';
import { settingsSchema } from '../src/config/settings.js';
import { startFakeDiscord } from '../test/channels/discord/fake-discord.js';

const RUNS = Number(process.env.BENCH_DISCORD_RUNS ?? 10);
const MESSAGES = Number(process.env.BENCH_DISCORD_MESSAGES ?? 200);
const log = (msg: string) => process.stderr.write(`[bench:discord] ${msg}\n`);

const round = (x: number) => Math.round(x * 100) / 100;
function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return { n: s.length, p50_ms: round(rank(0.5)), p90_ms: round(rank(0.9)), min_ms: round(s[0]!), max_ms: round(s.at(-1)!) };
}

const fake = await startFakeDiscord();
const DM = '4300000000000000001';
fake.openDm(DM);
const settings = settingsSchema.parse({ discord_bot_token: fake.token, discord_api_base_url: fake.apiBase });
const adapter = discordAdapter({ settings, maxFileBytes: 1 << 20, log: () => undefined });

let waiting: ((m: InboundMessage) => void) | null = null;
const onMessage = (m: InboundMessage) => waiting?.(m);

const startMs: number[] = [];
const stopMs: number[] = [];
for (let i = 0; i < RUNS; i++) {
  let t = performance.now();
  await adapter.start(onMessage);
  startMs.push(performance.now() - t);
  if (i === RUNS - 1) break;
  t = performance.now();
  await adapter.stop();
  stopMs.push(performance.now() - t);
}
log(`start/stop × ${RUNS} done`);

const inboundMs: number[] = [];
for (let i = 0; i < MESSAGES; i++) {
  const got = new Promise<InboundMessage>((resolve) => { waiting = resolve; });
  const t = performance.now();
  fake.pushMessage({ channelId: DM, authorId: '4200000000000000001', content: `message ${i}` });
  await got;
  inboundMs.push(performance.now() - t);
}
log(`inbound × ${MESSAGES} done`);

const sendMs: number[] = [];
const editMs: number[] = [];
for (let i = 0; i < MESSAGES; i++) {
  let t = performance.now();
  const sent = await adapter.send(DM, `answer ${i}`);
  sendMs.push(performance.now() - t);
  t = performance.now();
  await adapter.edit(sent, `answer ${i}, edited`);
  editMs.push(performance.now() - t);
}
log(`send/edit × ${MESSAGES} done`);

await adapter.stop();
await fake.close();
process.stdout.write(`${JSON.stringify({
  node: process.version,
  start: stats(startMs), stop: stats(stopMs), inbound: stats(inboundMs), send: stats(sendMs), edit: stats(editMs),
}, null, 2)}\n`);
