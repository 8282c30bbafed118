import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writePocketPawDir } from '../helpers/pocketpaw-fixture.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { ChatSocket } from '../helpers/ws-client.js';
import { allCallers, ask, byType, replyTo, type Caller } from './helpers.js';

/** What PocketPaw's dashboard does over /ws on load and in use (spec §4.3), under every auth mode. */
let s: TestServer;
let callers: Caller[];
const SESSION = 'websocket_0f0f0f0f-1111-4222-8333-444444444444';
beforeAll(async () => {
  s = await startTestServer();
  callers = await allCallers(s);
  s.importDir(writePocketPawDir({ [SESSION]: [{ role: 'user', content: 'Earlier question' }, { role: 'assistant', content: 'Earlier answer' }] }));
});
afterAll(() => s.close());
const open: ChatSocket[] = [];
afterEach(() => {
  for (const sock of open.splice(0)) sock.close();
});

async function sockets(query?: string): Promise<Array<{ name: string; sock: ChatSocket }>> {
  const out = [];
  for (const c of callers) {
    const sock = await c.socket(query);
    open.push(sock);
    out.push({ name: c.name, sock });
  }
  return out;
}

const SETTINGS_KEYS = `agentBackend, claudeSdkProvider, claudeSdkModel, claudeSdkMaxTurns, openaiAgentsProvider, openaiAgentsModel,
openaiAgentsMaxTurns, googleAdkModel, googleAdkMaxTurns, codexCliModel, codexCliMaxTurns, copilotSdkProvider, copilotSdkModel,
copilotSdkMaxTurns, opencodeBaseUrl, opencodeModel, opencodeMaxTurns, llmProvider, ollamaHost, ollamaModel, anthropicModel,
openaiCompatibleBaseUrl, openaiCompatibleModel, openaiCompatibleMaxTokens, hasOpenaiCompatibleKey, geminiModel, hasGoogleApiKey,
bypassPermissions, hasAnthropicKey, hasOpenaiKey, webSearchProvider, urlExtractProvider, hasTavilyKey, hasBraveKey,
hasParallelKey, injectionScanEnabled, injectionScanLlm, toolProfile, planMode, planModeTools, smartRoutingEnabled,
modelTierSimple, modelTierModerate, modelTierComplex, ttsProvider, ttsVoice, sttProvider, sttModel, ocrProvider,
sarvamTtsLanguage, selfAuditEnabled, selfAuditSchedule, memoryBackend, mem0AutoLearn, mem0LlmProvider, mem0LlmModel,
mem0EmbedderProvider, mem0EmbedderModel, mem0VectorStore, mem0OllamaBaseUrl, hasElevenlabsKey, hasGoogleOAuthId,
hasGoogleOAuthSecret, hasSpotifyClientId, hasSpotifyClientSecret, hasSarvamKey, agentActive, agentStatus`.split(/[\s,]+/).filter(Boolean);

describe('connecting', () => {
  it('connection_info comes first; `authenticate` (sent first by the dashboard) gets no reply', async () => {
    for (const { name, sock } of await sockets()) {
      expect(sock.frames[0], name).toEqual({ type: 'connection_info', content: 'Connected to PocketPaw', id: expect.stringMatching(/^websocket_[0-9a-f-]{36}$/) });
      expect(await replyTo(sock, { action: 'authenticate', token: 'whatever' })).toEqual([]);
    }
  });

  it('?resume_session= reconnects with the last messages', async () => {
    for (const { name, sock } of await sockets(`resume_session=${SESSION}`)) {
      expect(sock.frames[0], name).toMatchObject({ type: 'connection_info', id: SESSION });
      const history = await sock.waitFor(byType('session_history'));
      expect(history.messages).toMatchObject([{ role: 'user', content: 'Earlier question' }, { role: 'assistant', content: 'Earlier answer' }]);
    }
  });
});

describe('tool', () => {
  it('status: CPU, RAM and disk lines with real numbers', async () => {
    for (const { name, sock } of await sockets()) {
      const f = await ask(sock, { action: 'tool', tool: 'status' }, byType('status'));
      expect(Object.keys(f).sort(), name).toEqual(['content', 'type']);
      const text = f.content as string;
      const cpu = /🧠 CPU: (\d+(?:\.\d+)?)%/.exec(text);
      const ram = /💾 RAM: ([\d.]+) GB \/ ([\d.]+) GB \((\d+(?:\.\d+)?)%\)/.exec(text);
      const disk = /💿 Disk: ([\d.]+) GB \/ ([\d.]+) GB \((\d+(?:\.\d+)?)%\)/.exec(text);
      expect(cpu, text).not.toBeNull();
      expect(ram, text).not.toBeNull();
      expect(disk, text).not.toBeNull();
      for (const pct of [cpu![1], ram![3], disk![3]]) expect(Number(pct)).toBeGreaterThanOrEqual(0);
      for (const pct of [cpu![1], ram![3], disk![3]]) expect(Number(pct)).toBeLessThanOrEqual(100);
      expect(Number(ram![2])).toBeGreaterThan(0);
      expect(Number(disk![2])).toBeGreaterThan(0);
    }
  });

  it('screenshot is an error frame; panic answers the panic message; unknown tools are named', async () => {
    const sock = (await sockets())[0]!.sock;
    expect(await ask(sock, { action: 'tool', tool: 'screenshot' }, (f) => f.type === 'error' || f.type === 'screenshot'))
      .toEqual({ type: 'error', content: expect.stringMatching(/Screenshots are not available/), action: 'tool' });
    expect(await ask(sock, { action: 'tool', tool: 'panic' }, byType('message'))).toEqual({ type: 'message', content: '🛑 PANIC: All agent processes stopped!' });
    expect(await ask(sock, { action: 'tool', tool: 'teleport' }, byType('error'))).toEqual({ type: 'error', content: 'Unknown tool: teleport', action: 'tool' });
    expect(await ask(sock, { action: 'tool' }, byType('error'))).toEqual({ type: 'error', content: 'Unknown tool: ', action: 'tool' });
  });
});

describe('get_settings', () => {
  it('the full §4.5 key set', async () => {
    for (const { name, sock } of await sockets()) {
      const f = await ask(sock, { action: 'get_settings' }, byType('settings'));
      expect(Object.keys(f.content).sort(), name).toEqual([...SETTINGS_KEYS].sort());
      expect(f.content.agentStatus).toEqual({ status: 'running', backend: 'AgentLoop' });
    }
  });
});

describe('lists backed by real stores', () => {
  it('get_reminders, get_intentions: empty because nothing is stored yet; get_skills: what is on disk', async () => {
    for (const { name, sock } of await sockets()) {
      expect(await ask(sock, { action: 'get_reminders' }, byType('reminders')), name).toEqual({ type: 'reminders', reminders: [] });
      expect(await ask(sock, { action: 'get_intentions' }, byType('intentions'))).toEqual({ type: 'intentions', intentions: [] });
      const skills = await ask(sock, { action: 'get_skills' }, byType('skills'));
      expect(Array.isArray(skills.skills)).toBe(true);
    }
  });
});

describe('health', () => {
  it('get_health → health_update with the summary; run_health_check runs the checks; get_health_errors → health_errors', async () => {
    for (const { name, sock } of await sockets()) {
      const h = await ask(sock, { action: 'get_health' }, byType('health_update'));
      expect(h.data, name).toMatchObject({ status: expect.stringMatching(/^(healthy|degraded|unhealthy)$/), check_count: expect.any(Number), issues: expect.any(Array) });
      const run = await ask(sock, { action: 'run_health_check' }, byType('health_update'));
      expect(run.data.last_check).toEqual(expect.any(String));
      expect(run.data.check_count, 'the database check (in its worker) is included: the answer waited for it').toBe(4);
      expect(await ask(sock, { action: 'get_health_errors', limit: 5, search: '' }, byType('health_errors'))).toEqual({ type: 'health_errors', errors: expect.any(Array) });
    }
  });
});

describe('agent and sessions', () => {
  it('toggle_agent → notification, reflected in get_settings for this socket only', async () => {
    const [first, second] = await sockets();
    const sock = first!.sock;
    const other = second!.sock;
    expect(await ask(sock, { action: 'toggle_agent', active: false }, byType('notification'))).toEqual({ type: 'notification', content: 'Legacy Mode: OFF (Bus is always active)' });
    expect((await ask(sock, { action: 'get_settings' }, byType('settings'))).content).toMatchObject({ agentActive: false, agentStatus: { status: 'stopped', backend: 'AgentLoop' } });
    expect((await ask(other, { action: 'get_settings' }, byType('settings'))).content.agentActive).toBe(true);
    expect(await ask(sock, { action: 'toggle_agent', active: true }, byType('notification'))).toEqual({ type: 'notification', content: 'Legacy Mode: ON (Bus is always active)' });
  });

  it('switch_session → session_history; new_session → new_session', async () => {
    for (const { name, sock } of await sockets()) {
      expect(await replyTo(sock, { action: 'switch_session', session_id: SESSION }), name).toMatchObject([{
        type: 'session_history', session_id: SESSION,
        messages: [{ role: 'user', content: 'Earlier question' }, { role: 'assistant', content: 'Earlier answer' }],
      }]);
      const fresh = await replyTo(sock, { action: 'new_session' });
      expect(fresh).toEqual([{ type: 'new_session', id: expect.stringMatching(/^websocket_[0-9a-f-]{36}$/) }]);
    }
  });
});
