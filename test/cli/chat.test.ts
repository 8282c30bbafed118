import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerEnv } from '../helpers/chat-server.js';
import { startFakeLlm, textReply, type FakeLlm } from '../helpers/fake-llm/index.js';
import { tempDir } from '../helpers/pocketpaw-fixture.js';
import { CLI_TIMEOUT, expectNoStack, runCli } from './cli.js';
import { openDatabase } from '../../src/store/db.js';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.js';
import path from 'node:path';

let fake: FakeLlm;
let home: string;
beforeAll(async () => {
  fake = await startFakeLlm();
  home = tempDir();
});
afterAll(async () => {
  await fake.close();
  fs.rmSync(home, { recursive: true, force: true });
});

function cliSessions() {
  const db = openDatabase(path.join(home, 'pocketpaw.db'));
  try {
    const store = new SqliteSessionStore(db);
    return store.listWithPrefix('cli_', 10).map((s) => ({ ...s, messages: store.messages(s.id).map((m) => `${m.role}: ${m.content}`) }));
  } finally {
    db.close();
  }
}

describe('pocketpaw chat', () => {
  it('streams the answer to stdout and stores the exchange as a cli session', async () => {
    fake.enqueue(textReply('Paris is the capital of France.'));
    const res = await runCli(['chat', 'What', 'is', 'the', 'capital?'], home, providerEnv(fake, 'openai'));
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('Paris is the capital of France.\n');
    expect(fake.requests[0]!.body.messages.at(-1)).toMatchObject({ role: 'user', content: 'What is the capital?' });
    const sessions = cliSessions();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.messages).toEqual(['user: What is the capital?', 'assistant: Paris is the capital of France.']);
  }, CLI_TIMEOUT);

  it('--continue carries on the most recent terminal session with its history', async () => {
    fake.enqueue(textReply('About 2.1 million people.'));
    const res = await runCli(['chat', '--continue', 'And its population?'], home, providerEnv(fake, 'openai'));
    expect(res.code).toBe(0);
    const sent = fake.requests.at(-1)!.body.messages.map((m: { role: string; content: unknown }) => m.role);
    expect(sent).toEqual(['system', 'user', 'assistant', 'user']);
    const sessions = cliSessions();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.message_count).toBe(4);
  }, CLI_TIMEOUT);

  it('without a model, prints how to configure one on stderr, exits 1 and still saves the question', async () => {
    const res = await runCli(['chat', 'Hello?'], home, { POCKETPAW_LLM_PROVIDER: 'auto', POCKETPAW_OLLAMA_HOST: 'http://127.0.0.1:9' });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('POCKETPAW_ANTHROPIC_API_KEY');
    expect(res.stdout).toBe('');
    expectNoStack(res.stderr);
    expect(cliSessions().some((s) => s.messages.join('\n') === 'user: Hello?')).toBe(true);
  }, CLI_TIMEOUT);

  it('a provider failure is an error message and exit 1, not a stack trace', async () => {
    fake.enqueue({ status: 401, errorMessage: 'Incorrect API key provided' });
    const res = await runCli(['chat', 'hi'], home, providerEnv(fake, 'openai'));
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/Error: .*rejected the API key/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  }, CLI_TIMEOUT);
});
