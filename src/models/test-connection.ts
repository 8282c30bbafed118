import type { Settings } from '../config/settings.js';
import { baseOf, checkHttpUrl, fetchModels, ModelListError, PROVIDER_NAMES, savedTarget, shownUrl, type ProviderTarget } from './catalog.js';
import type { ProviderKind } from './resolver.js';

export interface TestInput {
  provider: ProviderKind;
  api_key?: string | null;
  base_url?: string | null;
  model?: string | null;
}

export interface TestResult {
  ok: boolean;
  message: string;
  models?: number;
}

/** The values a test uses: what was typed, else what is saved. Nothing is saved. */
export function testTarget(input: TestInput, s: Settings): ProviderTarget {
  const saved = savedTarget(input.provider, s);
  const key = input.api_key?.trim();
  const base = input.base_url?.trim();
  return {
    provider: input.provider,
    baseUrl: base || saved.baseUrl,
    apiKey: input.provider === 'ollama' ? '' : key || saved.apiKey,
  };
}

/** Whether `base_url` names an address other than the saved one (a scoped key needs admin for that). */
export function changesBaseUrl(input: TestInput, s: Settings): boolean {
  const base = input.base_url?.trim().replace(/\/+$/, '');
  if (!base) return false;
  return base !== savedTarget(input.provider, s).baseUrl.replace(/\/+$/, '');
}

function sameOllamaModel(a: string, b: string): boolean {
  const norm = (x: string) => (x.includes(':') ? x : `${x}:latest`);
  return norm(a) === norm(b);
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * `POST /api/v1/models/test`: asks the provider for its model list with the typed (or saved)
 * address and key, and says in plain words whether that worked and what to do if not.
 */
export async function testConnection(input: TestInput, s: Settings, timeoutMs?: number): Promise<TestResult> {
  const t = testTarget(input, s);
  const name = PROVIDER_NAMES[t.provider];
  const model = input.model?.trim() ?? '';
  if ((t.provider === 'anthropic' || t.provider === 'openai') && !t.apiKey) {
    return { ok: false, message: `No ${name} API key is entered or saved. Paste your key and try again.` };
  }
  if (t.provider === 'openai_compatible' && !t.baseUrl) {
    return { ok: false, message: 'Enter the OpenAI-compatible server URL first (for example http://localhost:8080/v1).' };
  }
  const bad = checkHttpUrl(baseOf(t));
  if (bad) return { ok: false, message: bad };

  let models;
  try {
    models = await fetchModels(t, timeoutMs);
  } catch (err) {
    if (err instanceof ModelListError) return { ok: false, message: err.message };
    throw err;
  }
  const n = models.length;
  if (t.provider === 'ollama') {
    const where = shownUrl(baseOf(t));
    if (model && !models.some((m) => sameOllamaModel(m.id, model))) {
      return { ok: false, models: n, message: `Connected to Ollama at ${where}, but the model "${model}" is not installed. Run \`ollama pull ${model}\`, or pick an installed one.` };
    }
    if (n === 0) return { ok: false, models: 0, message: `Connected to Ollama at ${where}, but no models are installed. Run \`ollama pull llama3.2\` (or another model) first.` };
    return { ok: true, models: n, message: `Connected to Ollama at ${where}: ${plural(n, 'model', 'models')} installed.` };
  }
  const subject = t.provider === 'openai_compatible' ? `the OpenAI-compatible server at ${shownUrl(baseOf(t))}` : name;
  let message = `Connected to ${subject}: ${plural(n, 'model', 'models')} available.`;
  if (model && n > 0 && !models.some((m) => m.id === model)) {
    message += ` "${model}" is not among them — check the model name.`;
  }
  return { ok: true, models: n, message };
}
