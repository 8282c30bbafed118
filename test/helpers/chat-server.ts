import fs from 'node:fs';
import { startFakeLlm, type FakeLlm } from './fake-llm/index.js';
import { startTestServer, type TestServer, type TestServerOptions } from './server.js';

export type ProviderUnderTest = 'openai' | 'anthropic' | 'ollama' | 'openai_compatible';

/** Environment that points PocketPaw at the fake provider, speaking `provider`'s protocol. */
export function providerEnv(fake: FakeLlm, provider: ProviderUnderTest): Record<string, string> {
  const common = { POCKETPAW_LLM_PROVIDER: provider, POCKETPAW_LLM_MAX_RETRIES: '0', POCKETPAW_AUTO_TITLE_LLM: 'false' };
  switch (provider) {
    case 'openai': return { ...common, POCKETPAW_OPENAI_API_KEY: 'sk-test-openai', POCKETPAW_OPENAI_BASE_URL: fake.openaiBaseUrl, POCKETPAW_OPENAI_MODEL: 'gpt-test' };
    case 'anthropic': return { ...common, POCKETPAW_ANTHROPIC_API_KEY: 'sk-ant-test', POCKETPAW_ANTHROPIC_BASE_URL: fake.anthropicBaseUrl, POCKETPAW_ANTHROPIC_MODEL: 'claude-test' };
    case 'ollama': return { ...common, POCKETPAW_OLLAMA_HOST: fake.ollamaHost, POCKETPAW_OLLAMA_MODEL: 'llama-test' };
    case 'openai_compatible': return { ...common, POCKETPAW_OPENAI_COMPATIBLE_BASE_URL: fake.openaiBaseUrl, POCKETPAW_OPENAI_COMPATIBLE_MODEL: 'compat-test' };
  }
}

export interface ChatTestEnv {
  s: TestServer;
  fake: FakeLlm;
  close(): Promise<void>;
}

/** A real PocketPaw server whose model is the fake provider. */
export async function startChatServer(provider: ProviderUnderTest = 'openai', opts: TestServerOptions = {}): Promise<ChatTestEnv> {
  const fake = await startFakeLlm();
  const s = await startTestServer({ ...opts, env: { ...providerEnv(fake, provider), ...opts.env } });
  return {
    s, fake,
    close: async () => {
      await s.close();
      await fake.close();
      // The agent's workspace lives beside the data dir (`<home>-workspace`), not in it.
      fs.rmSync(`${s.home}-workspace`, { recursive: true, force: true });
    },
  };
}
