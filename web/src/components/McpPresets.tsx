import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { mcpApi, type McpPreset, type PresetInstallResult } from '../api-tools';
import { plural, ToolList } from './McpParts';

const CATEGORY_LABEL: Record<string, string> = {
  ai: 'AI', analytics: 'Analytics', cms: 'Content', communication: 'Communication', data: 'Data', design: 'Design', dev: 'Development',
  devops: 'DevOps', finance: 'Finance', marketing: 'Marketing', monitoring: 'Monitoring', productivity: 'Productivity', search: 'Search', security: 'Security',
};
const categoryLabel = (c: string) => CATEGORY_LABEL[c] ?? c.charAt(0).toUpperCase() + c.slice(1);

/** A preset that downloads its package on first start needs the registry: said before the owner installs it. */
const needsRegistry = (p: McpPreset) => p.source === 'npm' || p.source === 'pypi';

function PresetNote({ p }: { p: McpPreset }) {
  if (!p.note) return null;
  const registry = needsRegistry(p);
  return (
    <p class={registry ? 'preset-note preset-note-network' : 'preset-note'} data-network={registry ? p.source : undefined}>
      {registry ? <strong>Needs network access to {p.source === 'npm' ? 'the npm registry' : 'PyPI'}. </strong> : null}
      {p.note}
    </p>
  );
}

function PresetCard({ p, onInstalled }: { p: McpPreset; onInstalled(): Promise<void> }) {
  const [open, setOpen] = useState(false);
  const [env, setEnv] = useState<Record<string, string>>({});
  const [args, setArgs] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<PresetInstallResult | null>(null);
  const id = `preset-${p.id}`;
  const hasForm = p.env_keys.length > 0 || p.needs_args;

  const install = async (e?: Event) => {
    e?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const extra = args.split('\n').map((a) => a.trim()).filter(Boolean);
      const res = await mcpApi.installPreset(p.id, env, extra);
      setResult(res);
      setOpen(false);
      setEnv({});
      await onInstalled();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const installed = p.installed || result !== null;
  return (
    <li class="preset" data-preset={p.id} aria-labelledby={`${id}-name`}>
      <div class="preset-head">
        <div class="preset-title">
          <strong id={`${id}-name`}>{p.name}</strong>
          <span class="badge">{categoryLabel(p.category)}</span>
          {p.oauth ? <span class="badge">Sign-in</span> : null}
          {installed ? <span class="badge badge-ok">Installed</span> : null}
        </div>
        {!installed && !open ? (
          <button type="button" class="btn btn-small" disabled={busy} aria-label={hasForm ? `Set up ${p.name}` : `Install ${p.name}`} onClick={() => (hasForm ? setOpen(true) : void install())}>
            {busy ? 'Installing…' : hasForm ? 'Set up' : 'Install'}
          </button>
        ) : null}
      </div>
      <p class="preset-desc">
        {p.description}
        {p.docs_url ? (
          <>
            {' '}
            <a href={p.docs_url} target="_blank" rel="noopener noreferrer">
              Docs<span class="sr-only"> for {p.name} (opens a new tab)</span>
            </a>
          </>
        ) : null}
      </p>
      <PresetNote p={p} />
      {open ? (
        <form class="preset-form" aria-label={`Set up ${p.name}`} onSubmit={install} noValidate>
          {p.env_keys.map((k) => (
            <div class="field" key={k.key}>
              <label for={`${id}-${k.key}`}>
                {k.label}
                {k.required ? null : <span class="muted"> (optional)</span>}
              </label>
              <input
                id={`${id}-${k.key}`}
                type={(k.secret ? 'password' : 'text') as 'text'}
                autocomplete="off"
                spellcheck={false}
                data-lpignore={k.secret ? 'true' : undefined}
                placeholder={k.placeholder}
                required={k.required}
                aria-required={k.required}
                value={env[k.key] ?? ''}
                onInput={(e) => setEnv({ ...env, [k.key]: (e.currentTarget as HTMLInputElement).value })}
              />
              <span class="field-help">
                <code>{k.key}</code>
                {k.secret ? ' · kept on this machine, never shown again' : ''}
              </span>
            </div>
          ))}
          {p.needs_args ? (
            <div class="field">
              <label for={`${id}-args`}>Arguments</label>
              <textarea id={`${id}-args`} rows={2} wrap="off" spellcheck={false} value={args} aria-describedby={`${id}-args-help`} onInput={(e) => setArgs((e.currentTarget as HTMLTextAreaElement).value)} />
              <p class="field-help" id={`${id}-args-help`}>
                What this server needs to know, one a line: a folder, a database address…
              </p>
            </div>
          ) : null}
          <div class="form-actions">
            <button type="submit" class="btn btn-primary btn-small" disabled={busy}>
              {busy ? 'Installing…' : `Install ${p.name}`}
            </button>
            <button type="button" class="btn btn-ghost btn-small" disabled={busy} onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {result ? (
        <div class={`mcp-test ${result.connected ? 'mcp-test-ok' : 'mcp-test-fail'}`} role="status" data-install-result={result.connected ? 'connected' : 'not-connected'}>
          {result.connected ? (
            <p>Installed and connected: {plural(result.tools.length, 'tool')}.</p>
          ) : (
            <p>
              Installed, but it did not connect{result.error ? `: ${result.error}` : '.'}
              {needsRegistry(p) ? ' This machine may not reach the package registry; the server starts once it can.' : ''}
            </p>
          )}
          {result.tools.length ? <ToolList tools={result.tools} label={`Tools of ${p.name}`} /> : null}
        </div>
      ) : null}
      {error ? (
        <p class="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </li>
  );
}

/** The preset catalogue: one-click servers, searchable and by category. */
export function McpPresets({ onInstalled }: { onInstalled(): Promise<void> }) {
  const [presets, setPresets] = useState<McpPreset[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [q, setQ] = useState('');
  const [category, setCategory] = useState('');

  useEffect(() => {
    let live = true;
    mcpApi.presets().then(
      (p) => live && setPresets(p),
      (err: unknown) => live && setError(err instanceof ApiError && err.status === 404 ? 'This server offers no presets.' : (err as Error).message),
    );
    return () => {
      live = false;
    };
  }, []);

  const categories = useMemo(() => [...new Set((presets ?? []).map((p) => p.category))].sort((a, b) => categoryLabel(a).localeCompare(categoryLabel(b))), [presets]);
  const shown = useMemo(() => {
    const words = q.toLowerCase().split(/\s+/).filter(Boolean);
    return (presets ?? []).filter((p) => (!category || p.category === category) && words.every((w) => `${p.name} ${p.description} ${p.id} ${p.package}`.toLowerCase().includes(w)));
  }, [presets, q, category]);

  return (
    <section class="settings-section presets" aria-labelledby="presets-title">
      <h3 id="presets-title">Presets</h3>
      <p class="section-note">Ready-made servers for common services. Keys you enter are stored on this machine and passed to the server only.</p>
      {error ? (
        <p class="field-error" role="alert">
          {error}
        </p>
      ) : presets === null ? (
        <p class="muted" role="status">
          Loading presets…
        </p>
      ) : (
        <>
          <div class="preset-filters">
            <div class="field">
              <label for="preset-search">Search presets</label>
              <input id="preset-search" type="search" autocomplete="off" spellcheck={false} placeholder="GitHub, database, search…" value={q} onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)} />
            </div>
            <div class="field">
              <label for="preset-category">Category</label>
              <select id="preset-category" value={category} onChange={(e) => setCategory((e.currentTarget as HTMLSelectElement).value)}>
                <option value="">All categories</option>
                {categories.map((c) => (
                  <option key={c} value={c}>
                    {categoryLabel(c)}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <p class="muted small" role="status">
            {shown.length === presets.length ? plural(presets.length, 'preset') : `${shown.length} of ${presets.length} presets`}
          </p>
          <ul class="preset-list" aria-label="MCP presets">
            {shown.map((p) => (
              <PresetCard key={p.id} p={p} onInstalled={onInstalled} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
