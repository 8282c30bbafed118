/**
 * Channel latency and capacity (issue 13), end to end: a real server, the fake Discord (REST and
 * gateway) as the platform and the fake OpenAI server as the model, all on 127.0.0.1. JSON on
 * stdout, progress on stderr.
 *
 *   npx tsx bench/channels.mts
 *   BENCH_CHANNEL_MESSAGES=50 BENCH_CHANNEL_LEVELS=1,10,50,100 npx tsx bench/channels.mts
 *
 * - `first_outbound`: from the fake platform writing MESSAGE_CREATE to the fake seeing the first
 *   outbound POST of the answer, one message at a time. The baseline in the same run is the model
 *   alone: time to its first streamed token when called directly. `added_p50_ms` is the
 *   difference: what the platform library, the channel layer and the chat turn add.
 * Beyond ~50 conversations at once the fake, like Discord, rate-limits the bot (its global limit),
 * so higher levels measure the platform's limit rather than this process.
 * - `concurrency`: N conversations (N guild channels) each send one message at the same moment;
 *   p50/p90 of the same latency, with `max_concurrent_conversations` at its default (5, the turns
 *   beyond it wait for a slot) and raised to N. `holds_before_p50_over_100ms` is the largest N
 *   whose p50 stayed at or under 100 ms.
 */
import { performance } from 'node:perf_hooks';
import { startChatServer } from '../test/helpers/chat-server.js';
import { startFakeDiscord } from '../test/channels/discord/fake-discord.js';

const MESSAGES = Number(process.env.BENCH_CHANNEL_MESSAGES ?? 40);
const LEVELS = (process.env.BENCH_CHANNEL_LEVELS ?? '1,2,3,5,10,20,50').split(',').map(Number);
const log = (msg: string) => process.stderr.write(`[bench:channels] ${msg}\n`);

const round = (x: number) => Math.round(x * 100) / 100;
function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return { n: s.length, p50_ms: round(rank(0.5)), p90_ms: round(rank(0.9)), max_ms: round(s.at(-1)!) };
}

const maxLevel = Math.max(...LEVELS);
const guildId = '900000000000000001';
const channels = Array.from({ length: maxLevel }, (_, i) => String(910000000000000000n + BigInt(i)));
const discord = await startFakeDiscord({ guilds: [{ id: guildId, name: 'Bench', channels }] });
const env = await startChatServer('openai');
const s = env.s;

await s.post('/api/channels/save', { channel: 'discord', config: { bot_token: discord.token, api_base_url: discord.apiBase, allowed_guild_ids: [guildId] } });
const started = await s.post('/api/channels/toggle', { channel: 'discord', action: 'start' });
if (!('running' in started.body)) throw new Error(`discord did not start: ${JSON.stringify(started.body)}`);

let seq = 0;
/** Pushes one mention in `channelId`; resolves with ms until the answer's first POST there. */
async function oneMessage(channelId: string): Promise<number> {
  const posted = () => discord.callsTo('POST /channels/:id/messages').filter((c) => c.path.includes(channelId)).length;
  const before = posted();
  const t0 = performance.now();
  discord.pushMessage({ channelId, guildId, authorId: '920000000000000001', content: `hello ${seq++}`, mentionsBot: true });
  await discord.waitFor(() => posted() > before, 30_000);
  return performance.now() - t0;
}

/** The model alone: time to the first streamed token from the fake, called directly. */
async function directFirstToken(): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${env.fake.openaiBaseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
    body: JSON.stringify({ model: 'gpt-bench', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let first = -1;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (first < 0 && /"content":"[^"]/.test(text)) first = performance.now() - t0;
  }
  return first;
}

const settle = () => new Promise((r) => setTimeout(r, 300));

log(`warm-up, then ${MESSAGES} sequential messages interleaved with direct model calls`);
for (let i = 0; i < 5; i++) {
  await oneMessage(channels[0]!);
  await directFirstToken();
}
await settle();
const channelMs: number[] = [];
const directMs: number[] = [];
for (let i = 0; i < MESSAGES; i++) {
  directMs.push(await directFirstToken());
  channelMs.push(await oneMessage(channels[0]!));
  await settle(); // the turn stores its answer before the next message
}
const first = stats(channelMs);
const direct = stats(directMs);

const concurrency: Record<string, unknown>[] = [];
let holds = { default_slots: 0, slots_raised: 0 };
for (const slots of ['default', 'raised'] as const) {
  for (const n of LEVELS) {
    const value = slots === 'default' ? 5 : Math.max(5, n);
    await s.request('/api/v1/settings', { method: 'PUT', json: { settings: { max_concurrent_conversations: value } } });
    log(`${n} conversations at once, max_concurrent_conversations=${value}`);
    const latencies = await Promise.all(channels.slice(0, n).map((c) => oneMessage(c)));
    const st = stats(latencies);
    concurrency.push({ conversations: n, max_concurrent_conversations: value, ...st });
    const key = slots === 'default' ? 'default_slots' : 'slots_raised';
    if (st.p50_ms <= 100) holds[key] = Math.max(holds[key], n);
    await settle();
  }
}

process.stdout.write(`${JSON.stringify({
  bench: 'channels',
  platform: 'fake Discord (discord.js 14.28.1, REST + JSON gateway) on 127.0.0.1',
  model: 'fake OpenAI chat-completions SSE on 127.0.0.1',
  first_outbound: { channel: first, model_alone_first_token: direct, added_p50_ms: round(first.p50_ms - direct.p50_ms) },
  concurrency,
  holds_before_p50_over_100ms: holds,
  rss_mb_after: Math.round(process.memoryUsage().rss / 1048576),
}, null, 2)}\n`);

await s.post('/api/channels/toggle', { channel: 'discord', action: 'stop' });
await env.close();
await discord.close();
