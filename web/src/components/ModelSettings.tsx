/**
 * Settings → Model: the provider, its model (typed, or picked from what the provider offers,
 * GET /api/v1/models) and its address, a connection test with what is typed before it is saved
 * (POST /api/v1/models/test), and the save.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, type Settings } from '../api';
import { modelsApi, type ModelList, type ProviderId, type TestAnswer } from '../api-models';
import { loadSettings, modelConfigured } from '../state/settings';
import { createStore } from '../store';
import { FormFooter } from './FormFooter';
import './ModelSettings.css';

type Provider = 'auto' | ProviderId;

const PROVIDERS: { value: Provider; label: string }[] = [
  { value: 'auto', label: 'Automatic' },
  { value: 'anthropic', label: 'Anthropic' },
  { value: 'openai', label: 'OpenAI' },
  { value: 'ollama', label: 'Ollama (runs locally)' },
  { value: 'openai_compatible', label: 'OpenAI-compatible server' },
];

/** Setting names of each provider's model, address and key fields (GET/PUT /api/v1/settings). */
export const FIELDS: Record<ProviderId, { model: string; url: string; key?: string; urlLabel: string; urlPlaceholder: string; modelPlaceholder: string; urlRequired?: boolean }> = {
  anthropic: { model: 'anthropic_model', url: 'anthropic_base_url', key: 'anthropic_api_key', urlLabel: 'Base URL (optional)', urlPlaceholder: 'https://api.anthropic.com/v1', modelPlaceholder: 'claude-sonnet-4-6' },
  openai: { model: 'openai_model', url: 'openai_base_url', key: 'openai_api_key', urlLabel: 'Base URL (optional)', urlPlaceholder: 'https://api.openai.com/v1', modelPlaceholder: 'gpt-5.2' },
  ollama: { model: 'ollama_model', url: 'ollama_host', urlLabel: 'Ollama address', urlPlaceholder: 'http://localhost:11434', modelPlaceholder: 'llama3.2' },
  openai_compatible: { model: 'openai_compatible_model', url: 'openai_compatible_base_url', key: 'openai_compatible_api_key', urlLabel: 'Server URL', urlPlaceholder: 'http://localhost:8080/v1', modelPlaceholder: 'qwen2.5', urlRequired: true },
};

/** Keys typed in the API keys section and not saved yet: the connection test tries them. */
export const typedKeys = createStore<Record<string, string>>({});

export function setTypedKey(name: string, value: string): void {
  typedKeys.set({ [name]: value });
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The form starts over when the saved values change (another tab, or our own save). */
export function modelKey(s: Settings): string {
  return JSON.stringify([s.llm_provider, ...Object.values(FIELDS).flatMap((f) => [s[f.model], s[f.url]])]);
}

type ListState = { state: 'loading' } | { state: 'ok'; list: ModelList } | { state: 'error'; message: string };

/** The provider's models with the saved settings; asked again when its key or address changes. */
function useModelList(provider: Provider, settings: Settings): ListState | null {
  const f = provider === 'auto' ? null : FIELDS[provider];
  const savedKey = f?.key ? settings[`has_${f.key}`] === true : false;
  const savedUrl = f ? str(settings[f.url]) : '';
  const [st, setSt] = useState<ListState | null>(null);
  useEffect(() => {
    if (provider === 'auto') {
      setSt(null);
      return;
    }
    let live = true;
    setSt({ state: 'loading' });
    modelsApi.list(provider).then(
      (list) => live && setSt({ state: 'ok', list }),
      (err: Error) => live && setSt({ state: 'error', message: err.message }),
    );
    return () => {
      live = false;
    };
  }, [provider, savedKey, savedUrl]);
  return st;
}

function ModelPickField({ list, value, onPick }: { list: ListState | null; value: string; onPick(id: string): void }) {
  if (!list) return null;
  if (list.state === 'loading') {
    return (
      <p class="field-help" role="status">
        Loading the models it offers…
      </p>
    );
  }
  if (list.state === 'error') {
    return (
      <p class="field-help model-list-error" role="status">
        Could not list its models: {list.message} You can still type a model name.
      </p>
    );
  }
  const { models, source } = list.list;
  if (models.length === 0) return <p class="field-help">It offers no models yet.</p>;
  const known = models.some((m) => m.id === value);
  return (
    <div class="model-pick">
      <label for="set-model-pick" class="sr-only">
        Available models
      </label>
      <select id="set-model-pick" value={known ? value : ''} onChange={(e) => onPick((e.currentTarget as HTMLSelectElement).value)}>
        <option value="" disabled>
          {known ? 'Choose a model' : `Choose one of ${models.length} ${source === 'live' ? 'available' : 'current'} models…`}
        </option>
        {models.map((m) => (
          <option key={m.id} value={m.id}>
            {m.label && m.label !== m.id ? `${m.label} (${m.id})` : m.id}
          </option>
        ))}
      </select>
      <p class="field-help">{source === 'live' ? 'Listed by the provider. Any other name can be typed above.' : 'Current models (save a key to see your account’s list). Any other name can be typed above.'}</p>
    </div>
  );
}

function TestButton({ provider, values }: { provider: ProviderId; values: Record<string, string> }) {
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<TestAnswer | null>(null);
  const f = FIELDS[provider];
  useEffect(() => setAnswer(null), [provider]);
  const run = async () => {
    setBusy(true);
    setAnswer(null);
    const key = f.key ? typedKeys.get()[f.key]?.trim() : '';
    try {
      setAnswer(await modelsApi.test({
        provider,
        ...(key ? { api_key: key } : {}),
        ...(values[f.url]?.trim() ? { base_url: values[f.url]!.trim() } : {}),
        ...(values[f.model]?.trim() ? { model: values[f.model]!.trim() } : {}),
      }));
    } catch (err) {
      setAnswer({ ok: false, message: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="model-test">
      <button type="button" class="btn" disabled={busy} onClick={() => void run()} aria-describedby="set-model-test-result">
        {busy ? 'Testing…' : 'Test connection'}
      </button>
      <p id="set-model-test-result" role="status" class={answer ? (answer.ok ? 'model-test-result ok' : 'model-test-result bad') : 'model-test-result'}>
        {answer?.message ?? (f.key ? 'Tries the address above and the key typed below (or the saved one). Nothing is saved.' : 'Tries the address above. Nothing is saved.')}
      </p>
    </div>
  );
}

export function ModelSettings({ settings, saved, setSaved }: { settings: Settings; saved: string | null; setSaved(s: string | null): void }) {
  const [provider, setProvider] = useState<Provider>((str(settings.llm_provider) as Provider) || 'auto');
  const [values, setValues] = useState<Record<string, string>>(() => {
    const v: Record<string, string> = {};
    for (const f of Object.values(FIELDS)) {
      v[f.model] = str(settings[f.model]);
      v[f.url] = str(settings[f.url]);
    }
    return v;
  });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fields = provider === 'auto' ? null : FIELDS[provider];
  const configured = modelConfigured(settings);
  const list = useModelList(provider, settings);

  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const patch: Settings = { llm_provider: provider };
    if (fields) {
      patch[fields.model] = values[fields.model]!.trim();
      patch[fields.url] = values[fields.url]!.trim();
      if (fields.urlRequired && !patch[fields.url]) {
        setError('Enter the server URL.');
        return;
      }
    }
    setBusy(true);
    try {
      await api.putSettings(patch);
      modelsApi.forget();
      await loadSettings();
      setSaved('Saved. The next message uses it.');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="settings-section" aria-labelledby="set-model" onSubmit={save}>
      <h3 id="set-model">Model</h3>
      <p class="section-note">
        {configured === true ? 'A model is set up.' : configured === 'maybe' ? 'No API key is saved: Automatic mode will look for Ollama on this machine.' : 'No model is set up yet: choose a provider and save its key below.'}
      </p>
      <div class="field">
        <label for="set-provider">Provider</label>
        <select id="set-provider" value={provider} onChange={(e) => setProvider((e.currentTarget as HTMLSelectElement).value as Provider)}>
          {PROVIDERS.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
        {provider === 'auto' ? (
          <p class="field-help">Uses the first that is set up: an Anthropic key, an OpenAI key, an OpenAI-compatible server, else Ollama on this machine.</p>
        ) : null}
      </div>
      {fields ? (
        <>
          <div class="field-row">
            <div class="field">
              <label for="set-model-name">Model</label>
              <input
                id="set-model-name"
                type="text"
                autocomplete="off"
                spellcheck={false}
                placeholder={fields.modelPlaceholder}
                value={values[fields.model]}
                onInput={(e) => setValues({ ...values, [fields.model]: (e.currentTarget as HTMLInputElement).value })}
              />
              <ModelPickField list={list} value={values[fields.model]!} onPick={(id) => setValues({ ...values, [fields.model]: id })} />
            </div>
            <div class="field">
              <label for="set-base-url">{fields.urlLabel}</label>
              <input
                id="set-base-url"
                type="url"
                autocomplete="off"
                spellcheck={false}
                placeholder={fields.urlPlaceholder}
                value={values[fields.url]}
                onInput={(e) => setValues({ ...values, [fields.url]: (e.currentTarget as HTMLInputElement).value })}
              />
            </div>
          </div>
          <TestButton provider={provider as ProviderId} values={values} />
        </>
      ) : null}
      <FormFooter busy={busy} label="Save model settings" saved={saved} error={error} />
    </form>
  );
}
