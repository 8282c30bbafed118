import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli/cli.js';
import { startFakeLlm, textReply, type FakeLlm } from '../helpers/fake-llm/index.js';
import { tempDir, writePocketPawDir } from '../helpers/pocketpaw-fixture.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connectChat, streamedText, type ChatSocket } from '../helpers/ws-client.js';
import { ask, byType } from './helpers.js';

/**
 * PocketPaw's backend settings run on our providers (issue: settings compatibility): an imported
 * config.json that chose claude_agent_sdk + openai_compatible chats through that server, and the
 * dashboard's own settings frame switches backend, provider and model for the next turn.
 */
let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());
const servers: TestServer[] = [];
const sockets: ChatSocket[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const sock of sockets.splice(0)) sock.close();
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function chat(s: TestServer, message: string): Promise<string> {
  const sock = await connectChat(s.url);
  sockets.push(sock);
  const from = sock.frames.length;
  sock.send({ action: 'chat', message });
  return streamedText(await sock.turn(from));
}

/** Our env must not choose the provider: the settings under test do. */
const QUIET = { POCKETPAW_AUTO_TITLE_LLM: 'false', POCKETPAW_LLM_MAX_RETRIES: '0', POCKETPAW_OLLAMA_HOST: 'http://127.0.0.1:9' };

describe('pocketpaw import of a config.json choosing claude_agent_sdk + openai_compatible', () => {
  it('brings settings and (fresh dir) the key over, reports what it does not understand, then chats through that server', async () => {
    const source = writePocketPawDir({ websocket_c0ffee00: [{ role: 'user', content: 'old chat' }] });
    dirs.push(path.dirname(source));
    fs.writeFileSync(path.join(source, 'config.json'), JSON.stringify({
      agent_backend: 'claude_agent_sdk',
      claude_sdk_provider: 'openai_compatible',
      claude_sdk_model: 'imported-model',
      openai_compatible_base_url: fake.openaiBaseUrl,
      openai_compatible_api_key: 'sk-compat-imported-0123456789',
      llm_provider: 'auto',
      anthropic_api_key: null,
      tool_profile: 'coding',
      claude_sdk_max_turns: 'lots',
      telegram_bot_token: '123456:ABC-DEF',
      whatsapp_mode: 'business',
      some_future_setting: true,
    }, null, 2));
    const home = tempDir();
    // Our own config.json with a key this version does not know: kept as it is.
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ my_own_key: { keep: 'me' }, tool_profile: 'minimal' }));

    const run = await runCli(['import', source, '--json'], home, QUIET);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.config).toEqual({
      applied: ['agent_backend', 'claude_sdk_model', 'claude_sdk_provider', 'llm_provider', 'openai_compatible_base_url', 'tool_profile', 'whatsapp_mode'],
      // Channel settings are ours too now (issue 13): the bot token comes along as a secret.
      secrets: ['openai_compatible_api_key', 'telegram_bot_token'],
      unknown: ['some_future_setting'],
      problems: [expect.stringMatching(/^claude_sdk_max_turns skipped: .*\(got "lots"\)$/)],
    });
    expect(run.stdout).not.toContain('sk-compat-imported');
    expect(run.stdout).not.toContain('123456:ABC-DEF');

    const ours = JSON.parse(fs.readFileSync(path.join(home, 'config.json'), 'utf8'));
    expect(ours).toMatchObject({ my_own_key: { keep: 'me' }, tool_profile: 'coding', claude_sdk_provider: 'openai_compatible', claude_sdk_model: 'imported-model' });
    expect(ours).not.toHaveProperty('openai_compatible_api_key');
    expect(ours).not.toHaveProperty('telegram_bot_token');
    const secrets = JSON.parse(fs.readFileSync(path.join(home, 'secrets.json'), 'utf8'));
    expect(secrets).toEqual({ openai_compatible_api_key: 'sk-compat-imported-0123456789', telegram_bot_token: '123456:ABC-DEF' });
    expect(fs.statSync(path.join(home, 'secrets.json')).mode & 0o777).toBe(0o600);

    const s = await startTestServer({ home, env: QUIET });
    servers.push(s);
    fake.enqueue(textReply('Answer from the imported provider.'));
    expect(await chat(s, 'hello after the move')).toBe('Answer from the imported provider.');
    const req = fake.requests[0]!;
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.body.model).toBe('imported-model');
    expect(req.headers.authorization).toBe('Bearer sk-compat-imported-0123456789');
    const settings = (await s.get('/api/v1/settings')).body;
    expect(settings).toMatchObject({ agent_backend: 'claude_agent_sdk', claude_sdk_provider: 'openai_compatible', has_openai_compatible_api_key: true });
    expect((await s.get('/api/sessions')).body.sessions.map((x: { id: string }) => x.id)).toContain('websocket_c0ffee00');
  });

  it('into a data dir that already has a token: settings yes, keys no (with a note)', async () => {
    const source = writePocketPawDir({ websocket_beef0000: [{ role: 'user', content: 'x' }] });
    dirs.push(path.dirname(source));
    fs.writeFileSync(path.join(source, 'config.json'), JSON.stringify({ claude_sdk_model: 'm1', anthropic_api_key: 'sk-ant-should-not-move' }));
    const home = tempDir();
    dirs.push(home);
    fs.writeFileSync(path.join(home, 'access_token'), 'existing-token', { mode: 0o600 });
    const run = await runCli(['import', source], home, QUIET);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('settings: 1 imported (claude_sdk_model)');
    expect(run.stdout).toMatch(/note: 1 API key\(s\) in config\.json not imported/);
    expect(fs.existsSync(path.join(home, 'secrets.json'))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(home, 'config.json'), 'utf8'))).toEqual({ claude_sdk_model: 'm1' });
  });
});

describe('the dashboard\'s settings frame switches backend, provider and model for the next turn', () => {
  it('openai_agents on OpenAI, then claude_agent_sdk on Ollama', async () => {
    const s = await startTestServer({
      env: {
        ...QUIET, POCKETPAW_AGENT_BACKEND: 'openai_agents', POCKETPAW_OPENAI_API_KEY: 'sk-test-openai',
        POCKETPAW_OPENAI_BASE_URL: fake.openaiBaseUrl, POCKETPAW_OPENAI_AGENTS_MODEL: 'agents-model',
      },
    });
    servers.push(s);
    await chat(s, 'first');
    expect(fake.requests[0]!.body.model).toBe('agents-model');

    const sock = await connectChat(s.url);
    sockets.push(sock);
    await ask(sock, { action: 'settings', agent_backend: 'claude_agent_sdk', claude_sdk_provider: 'ollama', claude_sdk_model: 'llama-from-settings', ollama_host: fake.ollamaHost }, byType('message'));
    const content = (await ask(sock, { action: 'get_settings' }, byType('settings'))).content;
    expect(content).toMatchObject({ agentBackend: 'claude_agent_sdk', claudeSdkProvider: 'ollama', claudeSdkModel: 'llama-from-settings' });
    await chat(s, 'second');
    expect(fake.requests[1]!.path).toBe('/api/chat');
    expect(fake.requests[1]!.body.model).toBe('llama-from-settings');
  });
});
