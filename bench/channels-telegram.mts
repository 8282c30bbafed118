/**
 * Telegram channel latency (issue 13): the time PocketPaw adds between a Telegram user's message
 * and the first thing that user sees of the answer. A fake Bot API pushes the message to the
 * adapter's pending long poll; the real server (channel layer, chat service) asks a fake model
 * that answers at once; the clock stops when the fake Bot API receives the first sendMessage.
 * Turns run one after another, each waiting for the whole answer to be shown.
 *
 * Run: `npx tsx bench/channels-telegram.mts` (JSON on stdout, progress on stderr).
 * `BENCH_TELEGRAM_MESSAGES` (default 30) measured messages after 3 warm-up ones.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServer } from '../src/server/start.js';
import { FakeTelegram, type RecordedCall } from '../test/channels/telegram/fake-telegram.js';
import { providerEnv } from '../test/helpers/chat-server.js';
import { startFakeLlm, textReply } from '../test/helpers/fake-llm/index.js';
import { request } from '../test/helpers/http.js';
import { stats } from './http-timing.js';

const MEASURED = Number(process.env.BENCH_TELEGRAM_MESSAGES ?? 30);
const WARMUP = 3;
const OWNER = 8151;

const log = (msg: string) => process.stderr.write(`[bench:telegram] ${msg}\n`);

const llm = await startFakeLlm();
const telegram = await FakeTelegram.start();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pocketpaw-bench-telegram-'));
const server = await startServer({
  mode: 'api', host: '127.0.0.1', port: 0, logLevel: 'silent',
  env: { ...process.env, POCKETPAW_HOME: home, POCKETPAW_RATE_LIMIT_ENABLED: 'false', ...providerEnv(llm, 'openai') },
});

try {
  // Configured and started the way the dashboard does it (owner on this machine: localhost).
  const saved = await request(server.url, '/api/channels/save', {
    method: 'POST', json: { channel: 'telegram', config: { bot_token: telegram.token, allowed_user_id: String(OWNER), api_base_url: telegram.apiRoot } },
  });
  const started = await request(server.url, '/api/channels/toggle', { method: 'POST', json: { channel: 'telegram', action: 'start' } });
  if (saved.status !== 200 || !started.body?.running) throw new Error(`telegram did not start: ${started.text}`);

  const toFirst: number[] = [];
  const toModel: number[] = [];
  const modelToFirst: number[] = [];
  const toWhole: number[] = [];
  for (let i = 0; i < WARMUP + MEASURED; i++) {
    const answer = `Answer number ${i} from the fake model.`;
    let modelAt = 0;
    llm.enqueue(() => {
      modelAt = performance.now();
      return textReply(answer);
    });
    const from = telegram.calls.length;
    const t0 = performance.now();
    telegram.pushMessage({ chatId: OWNER, fromId: OWNER, text: `question ${i}`, username: 'owner' });
    const first = await telegram.waitFor('sendMessage', (c) => c.params.chat_id === OWNER, { from, timeoutMs: 15_000 });
    // The whole answer shows up either in the first message or in an edit of it.
    const shown = (c: RecordedCall) => c.params.chat_id === OWNER && c.params.text === answer;
    const whole = await Promise.any([
      telegram.waitFor('sendMessage', shown, { from, timeoutMs: 15_000 }),
      telegram.waitFor('editMessageText', shown, { from, timeoutMs: 15_000 }),
    ]);
    if (i < WARMUP) continue;
    toFirst.push(first.at - t0);
    toModel.push(modelAt - t0);
    modelToFirst.push(first.at - modelAt);
    toWhole.push(whole.at - t0);
  }
  await request(server.url, '/api/channels/toggle', { method: 'POST', json: { channel: 'telegram', action: 'stop' } });
  log(`measured ${MEASURED} messages`);

  process.stdout.write(`${JSON.stringify({
    benchmark: 'channels-telegram',
    what: 'ms from the fake Bot API pushing a user message (to the pending long poll) until it receives the first sendMessage of the answer; fake model answers at once',
    messages: MEASURED,
    warmup: WARMUP,
    push_to_first_send: stats(toFirst),
    push_to_model_request: stats(toModel),
    model_request_to_first_send: stats(modelToFirst),
    push_to_whole_answer_shown: stats(toWhole),
    node: process.version,
    cpus: os.cpus().length,
  }, null, 2)}\n`);
} finally {
  await server.close();
  await telegram.close();
  await llm.close();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(`${home}-workspace`, { recursive: true, force: true });
}
