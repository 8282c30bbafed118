import { useEffect, useState } from 'preact/hooks';
import { SwitchRow } from './SwitchRow';
import { FormFooter } from './FormFooter';
import { api, type Settings } from '../api';
import { loadSettings, modelConfigured } from '../state/settings';
import { app, type SettingsTab } from '../state/stores';
import { closeSettings, setSettingsTab } from '../state/ui';
import { useStore } from '../store';
import { IconClose, IconKey } from './icons';
import { Modal } from './Modal';
import { PowersSection, powersKey } from './PowersSection';
import { McpPanel } from './McpPanel';
import { AccessSection, Shortcuts } from './SettingsExtras';
import { SkillsPanel } from './SkillsPanel';
import './SettingsDialog.css';

type Provider = 'auto' | 'anthropic' | 'openai' | 'ollama' | 'openai_compatible';

const PROVIDERS: { value: Provider; label: string }[] = [
  { value: 'auto', label: 'Automatic' },
  { value: 'anthropic', label: 'Anthropic' },
  { value: 'openai', label: 'OpenAI' },
  { value: 'ollama', label: 'Ollama (runs locally)' },
  { value: 'openai_compatible', label: 'OpenAI-compatible server' },
];

/** Setting names of each provider's model and address fields (GET/PUT /api/v1/settings). */
const FIELDS: Record<Exclude<Provider, 'auto'>, { model: string; url: string; urlLabel: string; urlPlaceholder: string; modelPlaceholder: string; urlRequired?: boolean }> = {
  anthropic: { model: 'anthropic_model', url: 'anthropic_base_url', urlLabel: 'Base URL (optional)', urlPlaceholder: 'https://api.anthropic.com', modelPlaceholder: 'claude-sonnet-4-6' },
  openai: { model: 'openai_model', url: 'openai_base_url', urlLabel: 'Base URL (optional)', urlPlaceholder: 'https://api.openai.com/v1', modelPlaceholder: 'gpt-5.2' },
  ollama: { model: 'ollama_model', url: 'ollama_host', urlLabel: 'Ollama address', urlPlaceholder: 'http://localhost:11434', modelPlaceholder: 'llama3.2' },
  openai_compatible: { model: 'openai_compatible_model', url: 'openai_compatible_base_url', urlLabel: 'Server URL', urlPlaceholder: 'http://localhost:8080/v1', modelPlaceholder: 'qwen2.5', urlRequired: true },
};

const str = (v: unknown) => (typeof v === 'string' ? v : '');

function useSaved(): [string | null, (s: string | null) => void] {
  const [msg, setMsg] = useState<string | null>(null);
  useEffect(() => {
    if (!msg) return;
    const t = setTimeout(() => setMsg(null), 3000);
    return () => clearTimeout(t);
  }, [msg]);
  return [msg, setMsg];
}

function ModelSection({ settings, saved, setSaved }: { settings: Settings; saved: string | null; setSaved(s: string | null): void }) {
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
      ) : null}
      <FormFooter busy={busy} label="Save model settings" saved={saved} error={error} />
    </form>
  );
}

const KEYS: { name: string; label: string; placeholder: string; help?: string }[] = [
  { name: 'anthropic_api_key', label: 'Anthropic API key', placeholder: 'sk-ant-…' },
  { name: 'openai_api_key', label: 'OpenAI API key', placeholder: 'sk-…' },
  { name: 'openai_compatible_api_key', label: 'OpenAI-compatible server key', placeholder: 'Only if your server needs one', help: 'Sent to the server URL above.' },
];

function KeyField({ name, label, placeholder, help, saved }: { name: string; label: string; placeholder: string; help?: string; saved: boolean }) {
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useSaved();
  const [error, setError] = useState<string | null>(null);
  const id = `key-${name}`;

  const put = async (key: string, done: string) => {
    setBusy(true);
    setError(null);
    try {
      await api.putSettings({ [name]: key });
      setValue('');
      await loadSettings();
      setStatus(done);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="key-field">
      <label for={id}>{label}</label>
      <div class="key-row">
        <input
          id={id}
          type="password"
          autocomplete="off"
          spellcheck={false}
          data-lpignore="true"
          placeholder={saved ? 'Saved — type a new key to replace it' : placeholder}
          value={value}
          aria-describedby={`${id}-state`}
          onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              if (value.trim()) void put(value.trim(), 'Key saved.');
            }
          }}
        />
        <button type="button" class="btn" disabled={busy || !value.trim()} onClick={() => void put(value.trim(), 'Key saved.')} aria-label={`Save the ${label}`}>
          Save
        </button>
        {saved ? (
          <button type="button" class="btn btn-ghost" disabled={busy} onClick={() => void put('', 'Key removed.')} aria-label={`Remove the ${label}`}>
            Remove
          </button>
        ) : null}
      </div>
      <div id={`${id}-state`} class="key-state">
        {saved ? (
          <span class="badge badge-ok">
            <IconKey /> Saved
          </span>
        ) : (
          <span class="badge">Not set</span>
        )}
        {help ? <span class="muted small">{help}</span> : null}
        <span role="status" class="save-state">
          {status}
        </span>
      </div>
      {error ? (
        <p class="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function TitleToggle({ settings }: { settings: Settings }) {
  const on = settings.auto_title_llm !== false;
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useSaved();
  const toggle = async (value: boolean) => {
    setError(null);
    try {
      await api.putSettings({ auto_title_llm: value });
      await loadSettings();
      setStatus('Saved.');
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section class="settings-section" aria-labelledby="set-conv">
      <h3 id="set-conv">Conversations</h3>
      <SwitchRow
        id="set-titles"
        label="Name conversations with the model"
        help="After the first answer, the model writes a short title in your language. Titles you set yourself are never changed."
        checked={on}
        onChange={(checked) => void toggle(checked)}
      />
      <span role="status" class="save-state">
        {status}
      </span>
      {error ? (
        <p class="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}

/** The form starts over when the saved values change (another tab, or our own save). */
function modelKey(s: Settings): string {
  return JSON.stringify([s.llm_provider, ...Object.values(FIELDS).flatMap((f) => [s[f.model], s[f.url]])]);
}

const TABS: { id: SettingsTab; label: string }[] = [
  { id: 'general', label: 'General' },
  { id: 'mcp', label: 'MCP servers' },
  { id: 'skills', label: 'Skills' },
];

/** The dialog's sections as tabs: arrow keys, Home and End move between them (the ARIA tabs pattern). */
function SettingsTabs({ tab }: { tab: SettingsTab }) {
  const onKeyDown = (e: KeyboardEvent) => {
    const i = TABS.findIndex((t) => t.id === tab);
    const next = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i + TABS.length - 1) % TABS.length : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    setSettingsTab(TABS[next]!.id);
    document.getElementById(`settings-tab-${TABS[next]!.id}`)?.focus();
  };
  return (
    <div class="settings-tabs" role="tablist" aria-label="Settings sections" onKeyDown={onKeyDown}>
      {TABS.map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          id={`settings-tab-${t.id}`}
          class="settings-tab"
          aria-selected={tab === t.id}
          aria-controls={`settings-panel-${t.id}`}
          tabIndex={tab === t.id ? 0 : -1}
          onClick={() => setSettingsTab(t.id)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

function GeneralPanel() {
  const settings = useStore(app, (a) => a.settings);
  // Kept here: the model and powers forms start over (a new key) when the saved values change.
  const [modelSaved, setModelSaved] = useSaved();
  const [powersSaved, setPowersSaved] = useSaved();
  return (
    <>
      {settings ? (
        <>
          <ModelSection key={modelKey(settings)} settings={settings} saved={modelSaved} setSaved={setModelSaved} />
          <section class="settings-section" aria-labelledby="set-keys-title">
            <h3 id="set-keys-title">API keys</h3>
            <p class="section-note">Keys are stored on the PocketPaw machine and never sent back to the browser.</p>
            {KEYS.map((k) => (
              <KeyField key={k.name} {...k} saved={settings[`has_${k.name}`] === true} />
            ))}
          </section>
          <PowersSection key={powersKey(settings)} settings={settings} saved={powersSaved} setSaved={setPowersSaved} />
          <TitleToggle settings={settings} />
        </>
      ) : (
        <p class="muted" role="status">
          Loading settings…
        </p>
      )}
      <AccessSection />
      <Shortcuts />
    </>
  );
}

function SettingsPanel() {
  const tab = useStore(app, (a) => a.settingsTab);
  useEffect(() => {
    void loadSettings();
  }, []);
  return (
    <div class="settings">
      <header class="modal-head">
        <h2 id="settings-title">Settings</h2>
        <button type="button" class="icon-btn" aria-label="Close settings" onClick={closeSettings}>
          <IconClose />
        </button>
      </header>
      <SettingsTabs tab={tab} />
      <div class="modal-body" role="tabpanel" id={`settings-panel-${tab}`} aria-labelledby={`settings-tab-${tab}`} key={tab}>
        {tab === 'general' ? <GeneralPanel /> : tab === 'mcp' ? <McpPanel /> : <SkillsPanel />}
      </div>
    </div>
  );
}

export function SettingsDialog() {
  const open = useStore(app, (a) => a.settingsOpen);
  if (!open) return null;
  return (
    <Modal onClose={closeSettings} class="modal-settings" labelledBy="settings-title">
      <SettingsPanel />
    </Modal>
  );
}
