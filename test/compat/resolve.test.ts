import { describe, expect, it } from 'vitest';
import { maxTurnsFor, modelSettingFor, ModelResolver } from '../../src/models/resolver.js';
import { settingsSchema, type Settings } from '../../src/config/settings.js';

/** An unreachable Ollama, so `auto` never finds one by accident. */
const base = { ollama_host: 'http://127.0.0.1:9' };
const settings = (over: Partial<Settings>): Settings => settingsSchema.parse({ ...base, ...over });

async function pick(over: Partial<Settings>): Promise<[string | null, string | undefined]> {
  const r = await new ModelResolver().resolve(settings(over));
  return r.provider ? [r.provider, r.modelId] : [null, undefined];
}

describe('PocketPaw backend settings choose the provider when llm_provider is auto', () => {
  it('claude_agent_sdk: claude_sdk_provider and claude_sdk_model', async () => {
    expect(await pick({ anthropic_api_key: 'k', claude_sdk_model: 'claude-opus-x' })).toEqual(['anthropic', 'claude-opus-x']);
    expect(await pick({ anthropic_api_key: 'k' })).toEqual(['anthropic', 'claude-sonnet-4-6']);
    // The backend's choice wins over a key that `auto` would otherwise take first.
    expect(await pick({ anthropic_api_key: 'k', claude_sdk_provider: 'openai_compatible', openai_compatible_base_url: 'http://gw/v1', claude_sdk_model: 'qwen' }))
      .toEqual(['openai_compatible', 'qwen']);
    expect(await pick({ claude_sdk_provider: 'openai_compatible', openai_compatible_base_url: 'http://gw/v1', openai_compatible_model: 'mistral' }))
      .toEqual(['openai_compatible', 'mistral']);
    expect(await pick({ claude_sdk_provider: 'ollama', claude_sdk_model: 'qwen3:8b' })).toEqual(['ollama', 'qwen3:8b']);
    expect(await pick({ claude_sdk_provider: 'ollama' })).toEqual(['ollama', 'llama3.2']);
  });

  it('openai_agents: openai_agents_provider and openai_agents_model', async () => {
    expect(await pick({ agent_backend: 'openai_agents', openai_api_key: 'k', openai_agents_model: 'gpt-4.1-mini' })).toEqual(['openai', 'gpt-4.1-mini']);
    expect(await pick({ agent_backend: 'openai_agents', openai_api_key: 'k' })).toEqual(['openai', 'gpt-5.2']);
    expect(await pick({ agent_backend: 'openai_agents', anthropic_api_key: 'a', openai_agents_provider: 'ollama', openai_agents_model: 'phi4' })).toEqual(['ollama', 'phi4']);
    expect(await pick({ agent_backend: 'openai_agents', openai_agents_provider: 'openai_compatible', openai_compatible_base_url: 'http://gw/v1', openai_agents_model: 'm' }))
      .toEqual(['openai_compatible', 'm']);
  });

  it('a backend provider that is not set up, or not one the backend runs on, falls back to plain auto', async () => {
    // Defaults (claude_agent_sdk + anthropic) with only an OpenAI key: OpenAI, as before.
    expect(await pick({ openai_api_key: 'k' })).toEqual(['openai', 'gpt-5.2']);
    expect(await pick({ claude_sdk_provider: 'openai_compatible', openai_api_key: 'k' })).toEqual(['openai', 'gpt-5.2']);
    expect(await pick({ claude_sdk_provider: 'openai', anthropic_api_key: 'k' })).toEqual(['anthropic', 'claude-sonnet-4-6']);
    expect(await pick({ agent_backend: 'google_adk', openai_api_key: 'k', claude_sdk_provider: 'ollama' })).toEqual(['openai', 'gpt-5.2']);
    expect(await pick({})).toEqual([null, undefined]);
  });

  it('an explicit llm_provider wins, with that provider\'s own model setting', async () => {
    expect(await pick({ llm_provider: 'anthropic', anthropic_api_key: 'k', claude_sdk_model: 'ignored', claude_sdk_provider: 'ollama' })).toEqual(['anthropic', 'claude-sonnet-4-6']);
    expect(await pick({ llm_provider: 'ollama', agent_backend: 'openai_agents', openai_agents_model: 'ignored' })).toEqual(['ollama', 'llama3.2']);
  });

  it('modelSettingFor: the setting /model should change', () => {
    expect(modelSettingFor(settings({ llm_provider: 'openai' }))).toBe('openai_model');
    expect(modelSettingFor(settings({ claude_sdk_provider: 'ollama' }))).toBe('claude_sdk_model');
    expect(modelSettingFor(settings({ agent_backend: 'openai_agents', openai_api_key: 'k' }))).toBe('openai_agents_model');
    expect(modelSettingFor(settings({ openai_api_key: 'k' }))).toBeNull();
  });
});

describe('maxTurnsFor', () => {
  it('the active backend\'s max turns', () => {
    expect(maxTurnsFor(settings({ agent_backend: 'openai_agents', openai_agents_max_turns: 7, claude_sdk_max_turns: 9 }))).toBe(7);
    expect(maxTurnsFor(settings({ claude_sdk_max_turns: 9 }))).toBe(9);
    expect(maxTurnsFor(settings({ agent_backend: 'google_adk', claude_sdk_max_turns: 11 }))).toBe(11);
  });
});
