import { useEffect, useState } from 'preact/hooks';
import { SwitchRow } from './SwitchRow';
import { FormFooter } from './FormFooter';
import { api, type SandboxStatus, type Settings } from '../api';
import { loadSettings } from '../state/settings';
import './PowersSection.css';

type Profile = 'minimal' | 'coding' | 'full';
type Network = 'none' | 'allowlist' | 'all';

/** What each profile allows (src/tools/policy/policy.ts: PROFILE_GROUPS; `full` allows every tool). */
const PROFILES: { value: Profile; label: string; help: string }[] = [
  { value: 'minimal', label: 'Minimal', help: 'Memory, conversations and the clock. No files, no shell, no web.' },
  { value: 'coding', label: 'Coding', help: 'Adds reading and writing files in the workspace and running shell commands. No web.' },
  { value: 'full', label: 'Full', help: 'Every tool: files, shell, memory, and web search and page fetching when they are set up.' },
];

/** The built-in tools (src/tools/, src/memory/tools.ts) plus PocketPaw's web tools, in the order shown. */
const TOOLS: { name: string; help: string }[] = [
  { name: 'shell', help: 'run commands' },
  { name: 'write_file', help: 'create or overwrite files' },
  { name: 'edit_file', help: 'change files' },
  { name: 'read_file', help: 'read files' },
  { name: 'list_dir', help: 'list folders' },
  { name: 'remember', help: 'save to memory' },
  { name: 'forget', help: 'delete from memory' },
  { name: 'recall', help: 'search memory' },
  { name: 'web_search', help: 'search the web' },
  { name: 'url_extract', help: 'fetch web pages' },
  { name: 'current_time', help: 'read the clock' },
];

const NETWORKS: { value: Network; label: string; help: string }[] = [
  { value: 'none', label: 'No network', help: 'Commands cannot reach the network at all.' },
  { value: 'allowlist', label: 'Only the hosts below', help: 'Commands reach only these hosts (HTTP and HTTPS).' },
  { value: 'all', label: 'Any host', help: 'Commands reach any host over HTTP and HTTPS.' },
];

/** Readable names for the server's `<field>: <reason>` errors. */
const LABELS: Record<string, string> = {
  tool_profile: 'Tool profile',
  plan_mode: 'Plan mode',
  plan_mode_tools: 'Tools that need approval',
  guardian_enabled: 'Guardian',
  sandbox_network: 'Network',
  sandbox_allowed_domains: 'Allowed hosts',
  shell_timeout_seconds: 'Time limit',
};

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** One host a line (commas and spaces also separate), without duplicates. */
function parseHosts(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((h) => h.trim()).filter(Boolean))];
}

function niceError(message: string): string {
  const m = /^([a-z_]+): (.*)$/s.exec(message);
  return m && LABELS[m[1]!] ? `${LABELS[m[1]!]}: ${m[2]}` : message;
}

/** The form starts over when the saved values change (another tab, or our own save). */
export function powersKey(s: Settings): string {
  return JSON.stringify([s.tool_profile, s.plan_mode, s.plan_mode_tools, s.guardian_enabled, s.sandbox_network, s.sandbox_allowed_domains, s.shell_timeout_seconds]);
}

function SandboxState({ status }: { status: SandboxStatus | null | undefined | Error }) {
  if (status === undefined) {
    return (
      <div class="sandbox-state">
        <p class="field-help">Checking the sandbox…</p>
      </div>
    );
  }
  if (status === null || status instanceof Error) {
    return (
      <div class="sandbox-state" data-sandbox="unknown">
        <p class="field-help">Sandbox status unavailable{status instanceof Error ? `: ${status.message}` : '.'}</p>
      </div>
    );
  }
  return (
    <div class="sandbox-state" data-sandbox={status.available ? status.kind : 'none'}>
      <p class="key-state">
        {status.available ? (
          <span class="badge badge-ok">Sandboxed: {status.kind}</span>
        ) : (
          <span class="badge badge-warn">Not sandboxed</span>
        )}
        <span class="muted small">{status.available ? status.reason : 'Every shell command asks for your approval before it runs.'}</span>
      </p>
      {!status.available && status.reason ? <p class="field-help sandbox-reason">Why: {status.reason}</p> : null}
      {status.workspace ? (
        <p class="field-help">
          Workspace: <code class="path">{status.workspace}</code>
        </p>
      ) : null}
    </div>
  );
}

/** Settings › Agent powers: what the agent may do, what needs the owner's approval, and the shell sandbox. */
export function PowersSection({ settings, saved, setSaved }: { settings: Settings; saved: string | null; setSaved(s: string | null): void }) {
  const [profile, setProfile] = useState<Profile>(() => (['minimal', 'coding', 'full'].includes(String(settings.tool_profile)) ? (settings.tool_profile as Profile) : 'full'));
  const [planMode, setPlanMode] = useState(settings.plan_mode === true);
  const [planTools, setPlanTools] = useState<string[]>(() => strings(settings.plan_mode_tools));
  const [guardian, setGuardian] = useState(settings.guardian_enabled === true);
  const [network, setNetwork] = useState<Network>(() => (['none', 'allowlist', 'all'].includes(String(settings.sandbox_network)) ? (settings.sandbox_network as Network) : 'none'));
  const [hosts, setHosts] = useState(() => strings(settings.sandbox_allowed_domains).join('\n'));
  const [timeout, setTimeoutValue] = useState(() => String(settings.shell_timeout_seconds ?? 60));
  const [sandbox, setSandbox] = useState<SandboxStatus | null | undefined | Error>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api.sandbox().then(
      (s) => live && setSandbox(s),
      (err: unknown) => live && setSandbox(err instanceof Error ? err : new Error(String(err))),
    );
    return () => {
      live = false;
    };
  }, []);

  // Tools named in the setting that this list does not know (from config.json) stay offered.
  const toolList = [...TOOLS, ...strings(settings.plan_mode_tools).filter((n) => !TOOLS.some((t) => t.name === n)).map((name) => ({ name, help: '' }))];
  const allow = strings(settings.tools_allow);
  const deny = strings(settings.tools_deny);

  const toggleTool = (name: string, on: boolean) => setPlanTools((cur) => (on ? [...cur.filter((n) => n !== name), name] : cur.filter((n) => n !== name)));

  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const seconds = Number(timeout.trim());
    if (!timeout.trim() || !Number.isFinite(seconds)) {
      setError('Time limit: enter a number of seconds.');
      return;
    }
    const next: Settings = {
      tool_profile: profile,
      plan_mode: planMode,
      plan_mode_tools: toolList.map((t) => t.name).filter((n) => planTools.includes(n)),
      guardian_enabled: guardian,
      sandbox_network: network,
      sandbox_allowed_domains: parseHosts(hosts),
      shell_timeout_seconds: seconds,
    };
    const patch: Settings = {};
    for (const [k, v] of Object.entries(next)) if (JSON.stringify(v) !== JSON.stringify(settings[k])) patch[k] = v;
    if (Object.keys(patch).length === 0) {
      setSaved('Nothing changed.');
      return;
    }
    setBusy(true);
    try {
      await api.putSettings(patch);
      setSaved('Saved. The next message uses it.');
      await loadSettings();
    } catch (err) {
      setError(niceError((err as Error).message));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="settings-section powers" aria-labelledby="set-powers" onSubmit={save} noValidate>
      <h3 id="set-powers">Agent powers</h3>
      <p class="section-note">What the agent may do on this machine, and what waits for your approval.</p>

      <fieldset>
        <legend>Tool profile</legend>
        {PROFILES.map((p) => (
          <div class="choice" key={p.value}>
            <input
              type="radio"
              id={`set-profile-${p.value}`}
              name="tool_profile"
              value={p.value}
              checked={profile === p.value}
              aria-describedby={`set-profile-${p.value}-help`}
              onChange={() => setProfile(p.value)}
            />
            <div>
              <label for={`set-profile-${p.value}`}>{p.label}</label>
              <p class="field-help" id={`set-profile-${p.value}-help`}>
                {p.help}
              </p>
            </div>
          </div>
        ))}
        {allow.length || deny.length ? (
          <p class="field-help">
            {allow.length ? `Also allowed (tools_allow): ${allow.join(', ')}. ` : ''}
            {deny.length ? `Always refused (tools_deny): ${deny.join(', ')}.` : ''}
          </p>
        ) : null}
      </fieldset>

      <fieldset>
        <legend>Approvals</legend>
        <SwitchRow
          id="set-plan-mode"
          label="Plan mode: ask before running tools"
          help="The tools checked below wait in the chat until you approve or reject the call."
          checked={planMode}
          onChange={setPlanMode}
        />
        <fieldset class="choice-grid" aria-describedby="set-plan-tools-help">
          <legend class="sub-legend">Tools that need approval</legend>
          {toolList.map((t) => (
            <div class="choice" key={t.name}>
              <input
                type="checkbox"
                id={`set-plan-tool-${t.name}`}
                checked={planTools.includes(t.name)}
                onChange={(e) => toggleTool(t.name, (e.currentTarget as HTMLInputElement).checked)}
              />
              <label for={`set-plan-tool-${t.name}`}>
                <code>{t.name}</code>
                {t.help ? <span class="muted small"> {t.help}</span> : null}
              </label>
            </div>
          ))}
        </fieldset>
        <p class="field-help" id="set-plan-tools-help">
          {planMode ? 'Only these tools ask first; the others run at once.' : 'Used while plan mode is on.'}
        </p>
        <SwitchRow
          id="set-guardian"
          class="guardian-row"
          label="Guardian checks shell commands"
          help="Before a shell command runs, the model judges it; commands it finds dangerous are blocked. One extra model call per command."
          checked={guardian}
          onChange={setGuardian}
        />
      </fieldset>

      <fieldset>
        <legend>Shell sandbox</legend>
        <SandboxState status={sandbox} />
        <div class="field-row">
          <div class="field">
            <label for="set-network">Network</label>
            <select id="set-network" value={network} aria-describedby="set-network-help" onChange={(e) => setNetwork((e.currentTarget as HTMLSelectElement).value as Network)}>
              {NETWORKS.map((n) => (
                <option key={n.value} value={n.value}>
                  {n.label}
                </option>
              ))}
            </select>
            <p class="field-help" id="set-network-help">
              {NETWORKS.find((n) => n.value === network)!.help}
            </p>
          </div>
          <div class="field">
            <label for="set-shell-timeout">Time limit (seconds)</label>
            <input
              id="set-shell-timeout"
              type="text"
              inputMode="numeric"
              autocomplete="off"
              value={timeout}
              aria-describedby="set-shell-timeout-help"
              onInput={(e) => setTimeoutValue((e.currentTarget as HTMLInputElement).value)}
            />
            <p class="field-help" id="set-shell-timeout-help">
              A command still running after this is stopped (1 to 3600).
            </p>
          </div>
        </div>
        {network === 'allowlist' ? (
          <div class="field">
            <label for="set-hosts">Allowed hosts</label>
            <textarea
              id="set-hosts"
              rows={3}
              wrap="off"
              spellcheck={false}
              autocomplete="off"
              placeholder={'pypi.org\n*.github.com'}
              value={hosts}
              aria-describedby="set-hosts-help"
              onInput={(e) => setHosts((e.currentTarget as HTMLTextAreaElement).value)}
            />
            <p class="field-help" id="set-hosts-help">
              One host a line. <code>*.example.com</code> allows its subdomains, not example.com itself.
            </p>
          </div>
        ) : null}
      </fieldset>

      <FormFooter busy={busy} label="Save agent powers" saved={saved} error={error} />
    </form>
  );
}
