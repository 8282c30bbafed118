import { useEffect, useState } from 'preact/hooks';
import { SwitchRow } from './SwitchRow';
import { api, type Settings } from '../api';
import { loadSettings } from '../state/settings';
import { modelsApi } from '../api-models';
import { app, type SettingsTab } from '../state/stores';
import { closeSettings, setSettingsTab } from '../state/ui';
import { useStore } from '../store';
import { IconClose, IconKey } from './icons';
import { Modal } from './Modal';
import { PowersSection, powersKey } from './PowersSection';
import { McpPanel } from './McpPanel';
import { ModelSettings, modelKey, setTypedKey } from './ModelSettings';
import { AccessSection, Shortcuts } from './SettingsExtras';
import { SkillsPanel } from './SkillsPanel';
import './SettingsDialog.css';

function useSaved(): [string | null, (s: string | null) => void] {
  const [msg, setMsg] = useState<string | null>(null);
  useEffect(() => {
    if (!msg) return;
    const t = setTimeout(() => setMsg(null), 3000);
    return () => clearTimeout(t);
  }, [msg]);
  return [msg, setMsg];
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
      setTypedKey(name, '');
      modelsApi.forget();
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
          onInput={(e) => {
            setValue((e.currentTarget as HTMLInputElement).value);
            setTypedKey(name, (e.currentTarget as HTMLInputElement).value);
          }}
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
          <ModelSettings key={modelKey(settings)} settings={settings} saved={modelSaved} setSaved={setModelSaved} />
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
