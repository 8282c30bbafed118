import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { toolCallReply } from '../helpers/fake-llm/index.js';
import { connectChat, type ChatSocket, type WsFrame } from '../helpers/ws-client.js';

let env: ChatTestEnv;
beforeAll(async () => {
  env = await startChatServer('openai');
});
afterAll(() => env.close());
beforeEach(() => env.fake.reset());
const sockets: ChatSocket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

async function open(): Promise<ChatSocket> {
  const s = await connectChat(env.s.url);
  sockets.push(s);
  return s;
}

async function request(sock: ChatSocket, frame: unknown, type: string): Promise<WsFrame> {
  const from = sock.frames.length;
  sock.send(frame);
  return sock.waitFor((f) => f.type === type, { from });
}

const getSettings = async (sock: ChatSocket) => (await request(sock, { action: 'get_settings' }, 'settings')).content as Record<string, any>;
const saveSettings = (sock: ChatSocket, fields: Record<string, unknown>) => request(sock, { action: 'settings', ...fields }, 'message');

/** Spec §4.5, in its order. */
const SETTINGS_KEYS = [
  'agentBackend', 'claudeSdkProvider', 'claudeSdkModel', 'claudeSdkMaxTurns', 'openaiAgentsProvider', 'openaiAgentsModel',
  'openaiAgentsMaxTurns', 'googleAdkModel', 'googleAdkMaxTurns', 'codexCliModel', 'codexCliMaxTurns', 'copilotSdkProvider',
  'copilotSdkModel', 'copilotSdkMaxTurns', 'opencodeBaseUrl', 'opencodeModel', 'opencodeMaxTurns', 'llmProvider', 'ollamaHost',
  'ollamaModel', 'anthropicModel', 'openaiCompatibleBaseUrl', 'openaiCompatibleModel', 'openaiCompatibleMaxTokens',
  'hasOpenaiCompatibleKey', 'geminiModel', 'hasGoogleApiKey', 'bypassPermissions', 'hasAnthropicKey', 'hasOpenaiKey',
  'webSearchProvider', 'urlExtractProvider', 'hasTavilyKey', 'hasBraveKey', 'hasParallelKey', 'injectionScanEnabled',
  'injectionScanLlm', 'toolProfile', 'planMode', 'planModeTools', 'smartRoutingEnabled', 'modelTierSimple',
  'modelTierModerate', 'modelTierComplex', 'ttsProvider', 'ttsVoice', 'sttProvider', 'sttModel', 'ocrProvider',
  'sarvamTtsLanguage', 'selfAuditEnabled', 'selfAuditSchedule', 'memoryBackend', 'mem0AutoLearn', 'mem0LlmProvider',
  'mem0LlmModel', 'mem0EmbedderProvider', 'mem0EmbedderModel', 'mem0VectorStore', 'mem0OllamaBaseUrl', 'hasElevenlabsKey',
  'hasGoogleOAuthId', 'hasGoogleOAuthSecret', 'hasSpotifyClientId', 'hasSpotifyClientSecret', 'hasSarvamKey', 'agentActive',
  'agentStatus',
];

describe('get_settings (spec §4.5)', () => {
  it('has exactly the dashboard keys, with values of the right kind', async () => {
    const sock = await open();
    const frame = await request(sock, { action: 'get_settings' }, 'settings');
    expect(Object.keys(frame)).toEqual(['type', 'content']);
    const c = frame.content as Record<string, unknown>;
    expect(Object.keys(c).sort()).toEqual([...SETTINGS_KEYS].sort());
    expect(c).toMatchObject({
      llmProvider: 'openai', agentBackend: 'claude_agent_sdk', claudeSdkMaxTurns: 25, planMode: false,
      planModeTools: 'shell,write_file,edit_file', injectionScanEnabled: true, toolProfile: 'full',
      hasOpenaiKey: true, agentActive: true, agentStatus: { status: 'running', backend: 'AgentLoop' },
    });
    for (const k of SETTINGS_KEYS.filter((x) => x.startsWith('has'))) expect(typeof c[k], k).toBe('boolean');
    // The configured OpenAI key (POCKETPAW_OPENAI_API_KEY) is a flag, never a value.
    expect(JSON.stringify(frame)).not.toContain('sk-test-openai');
  });

  it('save_api_key: confirmed with the provider label, shown as has*=true, the key itself never sent back', async () => {
    const sock = await open();
    const key = 'sk-ant-api03-SAVEDviaTHEsocket-abcdefghijklmnopqrstuvwxyz012345';
    const reply = await request(sock, { action: 'save_api_key', provider: 'anthropic', key }, 'message');
    expect(reply).toEqual({ type: 'message', content: '✅ Anthropic API key saved!' });
    const frame = await request(sock, { action: 'get_settings' }, 'settings');
    expect(frame.content.hasAnthropicKey).toBe(true);
    expect(JSON.stringify(frame)).not.toContain(key);
    expect(JSON.stringify(frame)).not.toContain('SAVEDviaTHEsocket');
    // Stored outside config.json, and not served by REST either.
    const configFile = path.join(env.s.home, 'config.json');
    if (fs.existsSync(configFile)) expect(fs.readFileSync(configFile, 'utf8')).not.toContain(key);
    const rest = await env.s.get('/api/v1/settings');
    expect(rest.body.has_anthropic_api_key).toBe(true);
    expect(rest.text).not.toContain(key);

    const labels: Record<string, string> = {
      openai: 'OpenAI API key', google: 'Google API key', tavily: 'Tavily API key', brave: 'Brave Search API key',
      parallel: 'Parallel AI API key', elevenlabs: 'ElevenLabs API key', google_oauth_id: 'Google OAuth Client ID',
      google_oauth_secret: 'Google OAuth Client Secret', spotify_client_id: 'Spotify Client ID',
      spotify_client_secret: 'Spotify Client Secret', sarvam: 'Sarvam AI API key',
    };
    for (const [provider, label] of Object.entries(labels)) {
      expect(await request(sock, { action: 'save_api_key', provider, key: `value-for-${provider}` }, 'message')).toEqual({ type: 'message', content: `✅ ${label} saved!` });
    }
    const after = await getSettings(sock);
    for (const flag of ['hasTavilyKey', 'hasBraveKey', 'hasParallelKey', 'hasElevenlabsKey', 'hasGoogleApiKey', 'hasGoogleOAuthId', 'hasGoogleOAuthSecret', 'hasSpotifyClientId', 'hasSpotifyClientSecret', 'hasSarvamKey']) {
      expect(after[flag], flag).toBe(true);
    }
    expect(JSON.stringify(after)).not.toContain('value-for-');
  });

  it('save_api_key with an unknown provider or an empty key', async () => {
    const sock = await open();
    // `action` (ours) names the request the error answers.
    const invalid = { type: 'error', content: 'Invalid API key or provider', action: 'save_api_key' };
    expect(await request(sock, { action: 'save_api_key', provider: 'nonsense', key: 'abc123' }, 'error')).toEqual(invalid);
    expect(await request(sock, { action: 'save_api_key', provider: 'openai', key: '' }, 'error')).toEqual(invalid);
    expect(await request(sock, { action: 'save_api_key', provider: 'openai' }, 'error')).toEqual(invalid);
    expect(await request(sock, { action: 'save_api_key', key: 'abc123' }, 'error')).toEqual(invalid);
    // The configured OpenAI key is untouched.
    const rest = await env.s.get('/api/v1/settings');
    expect(rest.body.has_openai_api_key).toBe(true);
  });
});

describe('settings action (spec §4.5)', () => {
  it('persists: the reply, a new socket, REST and config.json all see the change', async () => {
    const sock = await open();
    const reply = await saveSettings(sock, { anthropic_model: 'claude-from-ws', ollama_model: 'qwen-ws', tts_voice: 'nova' });
    expect(reply).toEqual({ type: 'message', content: '⚙️ Settings updated', notice: 'settings' });
    const fresh = await open();
    expect(await getSettings(fresh)).toMatchObject({ anthropicModel: 'claude-from-ws', ollamaModel: 'qwen-ws', ttsVoice: 'nova' });
    const rest = await env.s.get('/api/v1/settings');
    expect(rest.body).toMatchObject({ anthropic_model: 'claude-from-ws', ollama_model: 'qwen-ws', tts_voice: 'nova' });
    const file = JSON.parse(fs.readFileSync(path.join(env.s.home, 'config.json'), 'utf8'));
    expect(file).toMatchObject({ anthropic_model: 'claude-from-ws', ollama_model: 'qwen-ws' });
  });

  it('max_turns only within 1–200, max_tokens only within 0–1,000,000', async () => {
    const sock = await open();
    await saveSettings(sock, { claude_sdk_max_turns: 40, openai_agents_max_turns: 200, google_adk_max_turns: 1, openai_compatible_max_tokens: 4096 });
    await saveSettings(sock, {
      claude_sdk_max_turns: 0, openai_agents_max_turns: 201, google_adk_max_turns: -5, codex_cli_max_turns: 'ten',
      openai_compatible_max_tokens: 1_000_001,
    });
    expect(await getSettings(sock)).toMatchObject({
      claudeSdkMaxTurns: 40, openaiAgentsMaxTurns: 200, googleAdkMaxTurns: 1, codexCliMaxTurns: 25, openaiCompatibleMaxTokens: 4096,
    });
  });

  it('plan_mode_tools as a comma-separated string or a list; booleans coerced', async () => {
    const sock = await open();
    await saveSettings(sock, { plan_mode_tools: 'shell, browser ,write_file', plan_mode: 1, bypass_permissions: true, injection_scan_llm: 1, smart_routing_enabled: 0 });
    expect(await getSettings(sock)).toMatchObject({ planModeTools: 'shell,browser,write_file', planMode: true, bypassPermissions: true, injectionScanLlm: true, smartRoutingEnabled: false });
    await saveSettings(sock, { plan_mode_tools: ['edit_file', 'shell'], plan_mode: 0, bypass_permissions: false, self_audit_enabled: 0, mem0_auto_learn: false });
    const c = await getSettings(sock);
    expect(c).toMatchObject({ planModeTools: 'edit_file,shell', planMode: false, bypassPermissions: false, selfAuditEnabled: false, mem0AutoLearn: false });
    expect(typeof c.planMode).toBe('boolean');
    expect((await env.s.get('/api/v1/settings')).body.plan_mode_tools).toEqual(['edit_file', 'shell']);
  });

  it('absent or empty values keep the current ones; web_host/web_port are ignored; bad values are skipped alone', async () => {
    const sock = await open();
    await saveSettings(sock, {
      ollama_host: '', gemini_model: '', web_port: 1234, web_host: '0.0.0.0',
      llm_provider: 'not-a-provider', tool_profile: 'coding', memory_backend: 'mem0',
    });
    const c = await getSettings(sock);
    expect(c).toMatchObject({ llmProvider: 'openai', agentBackend: 'claude_agent_sdk', ollamaHost: 'http://localhost:11434', geminiModel: 'gemini-2.5-flash', toolProfile: 'coding', memoryBackend: 'mem0' });
    const rest = (await env.s.get('/api/v1/settings')).body;
    expect(rest).toMatchObject({ web_port: 8888, web_host: '127.0.0.1' });
    await saveSettings(sock, { tool_profile: 'full', memory_backend: 'file' });
  });

  it('applies to the current settings, not to what this socket saw when it connected', async () => {
    const early = await open();
    const late = await open();
    await saveSettings(late, { stt_model: 'whisper-late' });
    await saveSettings(early, { ocr_provider: 'mistral' });
    expect(await getSettings(late)).toMatchObject({ sttModel: 'whisper-late', ocrProvider: 'mistral' });
  });

  it('takes effect for the next turn: claude_sdk_max_turns=1 stops the agent after the tool call', async () => {
    const sock = await open();
    await saveSettings(sock, { claude_sdk_max_turns: 1 });
    env.fake.enqueue(toolCallReply('current_time', {}));
    const from = sock.frames.length;
    sock.send({ action: 'chat', message: 'What time is it?' });
    const frames = await sock.turn(from);
    expect(frames.some((f) => f.event_type === 'tool_result')).toBe(true);
    expect(env.fake.requests).toHaveLength(1);
    await saveSettings(sock, { claude_sdk_max_turns: 25 });
  });
});

describe('toggle_agent', () => {
  it('is per connection and shows in agentActive / agentStatus', async () => {
    const sock = await open();
    const other = await open();
    expect(await request(sock, { action: 'toggle_agent', active: false }, 'notification')).toEqual({ type: 'notification', content: 'Legacy Mode: OFF (Bus is always active)' });
    expect(await getSettings(sock)).toMatchObject({ agentActive: false, agentStatus: { status: 'stopped', backend: 'AgentLoop' } });
    expect(await getSettings(other)).toMatchObject({ agentActive: true });
    expect(await request(sock, { action: 'toggle_agent', active: true }, 'notification')).toEqual({ type: 'notification', content: 'Legacy Mode: ON (Bus is always active)' });
  });
});
