import { useEffect, useRef, useState } from 'preact/hooks';
import { mcpApi, type McpStatus, type McpTransport } from '../api-tools';
import { oauthPrompts, type OAuthPrompt } from '../state/mcp';
import { app } from '../state/stores';
import { useStore } from '../store';
import { McpAddForm } from './McpAddForm';
import { plural, ToolList } from './McpParts';
import { McpPresets } from './McpPresets';
import { SignInButton } from './OAuthPrompt';
import { IconPlus, IconTrash } from './icons';
import { useLoaded } from './useLoaded';
import './ToolPanels.css';

const TRANSPORT_SHORT: Record<McpTransport, string> = { stdio: 'stdio', 'streamable-http': 'Streamable HTTP', http: 'HTTP + SSE' };

type State = 'connected' | 'connecting' | 'error' | 'disabled' | 'idle';

function stateOf(s: McpStatus): State {
  if (!s.enabled) return 'disabled';
  if (s.connecting) return 'connecting';
  if (s.connected) return 'connected';
  return s.error ? 'error' : 'idle';
}

const STATE_LABEL: Record<State, string> = { connected: 'Connected', connecting: 'Connecting…', error: 'Failed to connect', disabled: 'Off', idle: 'Not connected' };

function ServerRow({ name, s, prompt, onChanged }: { name: string; s: McpStatus; prompt: OAuthPrompt | undefined; onChanged(): Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const state = stateOf(s);
  const id = `mcp-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;

  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      await onChanged();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const remove = () =>
    app.set({
      confirm: {
        title: `Remove ${name}?`,
        body: `The agent loses this server's tools, and its settings (command, address, environment) are deleted from this machine.`,
        confirmLabel: 'Remove server',
        danger: true,
        onConfirm: () => run(() => mcpApi.remove(name)),
      },
    });

  return (
    <li class={`mcp-server mcp-${state}`} data-server={name} data-state={state} aria-labelledby={`${id}-name`} aria-busy={busy ? 'true' : undefined}>
      <div class="mcp-server-head">
        <span class="mcp-dot" aria-hidden="true" />
        <div class="mcp-server-title">
          <strong id={`${id}-name`} class="mcp-server-name">
            {name}
          </strong>
          <span class="mcp-server-meta">
            <span class="mcp-state">{STATE_LABEL[state]}</span>
            <span aria-hidden="true"> · </span>
            <span>{TRANSPORT_SHORT[s.transport] ?? s.transport}</span>
            {s.connected ? (
              <>
                <span aria-hidden="true"> · </span>
                <span class="mcp-tool-count">{plural(s.tool_count, 'tool')}</span>
              </>
            ) : null}
          </span>
        </div>
        <div class="mcp-server-actions">
          {state === 'error' || state === 'idle' ? (
            <button type="button" class="btn btn-small btn-ghost" disabled={busy} onClick={() => void run(() => mcpApi.toggle(name, true))} aria-label={`Connect ${name} again`}>
              Retry
            </button>
          ) : null}
          <input
            type="checkbox"
            role="switch"
            class="switch"
            checked={s.enabled}
            disabled={busy}
            aria-label={`Use ${name}`}
            onChange={() => void run(() => mcpApi.toggle(name, !s.enabled))}
          />
          <button type="button" class="icon-btn" disabled={busy} aria-label={`Remove ${name}`} title="Remove" onClick={remove}>
            <IconTrash />
          </button>
        </div>
      </div>
      {s.error && state !== 'connected' ? <p class="mcp-error">{s.error}</p> : null}
      {prompt ? (
        <div class="mcp-signin">
          <span>Waiting for you to sign in.</span>
          <SignInButton prompt={prompt} small />
        </div>
      ) : null}
      {error ? (
        <p class="field-error" role="alert">
          {error}
        </p>
      ) : null}
      {s.tools?.length ? <ToolList tools={s.tools} label={`Tools of ${name}`} /> : null}
    </li>
  );
}

/** Settings › MCP servers: the configured servers, adding one, and the preset catalogue. */
export function McpPanel() {
  const { data: servers, error: loadError, refresh } = useLoaded(mcpApi.status);
  const [adding, setAdding] = useState(false);
  const prompts = useStore(oauthPrompts, (s) => s.items);
  const addRef = useRef<HTMLButtonElement>(null);

  // A server still connecting (or one being signed in to) is asked about again until it settles.
  const waiting = servers !== null && (Object.values(servers).some((s) => s.connecting) || prompts.length > 0);
  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(() => void refresh(), 1500);
    return () => clearInterval(t);
  }, [waiting, refresh]);

  const names = servers ? Object.keys(servers).sort((a, b) => a.localeCompare(b)) : [];
  const orphanPrompts = prompts.filter((p) => !servers || !(p.server in servers));

  return (
    <>
      <section class="settings-section mcp" aria-labelledby="mcp-title">
        <div class="section-head">
          <h3 id="mcp-title">MCP servers</h3>
          {!adding ? (
            <button type="button" class="btn btn-small" ref={addRef} onClick={() => setAdding(true)}>
              <IconPlus /> Add a server
            </button>
          ) : null}
        </div>
        <p class="section-note">
          Programs and services that give the agent more tools. Their tools follow the agent powers: the tool profile, and plan mode when it is on.
        </p>
        {orphanPrompts.map((p) => (
          <div key={p.server} class="mcp-signin" data-oauth-server={p.server}>
            <span>
              <strong>{p.server}</strong> is waiting for you to sign in.
            </span>
            <SignInButton prompt={p} small />
          </div>
        ))}
        {adding ? (
          <McpAddForm
            onCancel={() => {
              setAdding(false);
              setTimeout(() => addRef.current?.focus());
            }}
            onAdded={async () => {
              setAdding(false);
              await refresh();
            }}
          />
        ) : null}
        {loadError ? (
          <p class="field-error" role="alert">
            {loadError}
          </p>
        ) : servers === null ? (
          <p class="muted" role="status">
            Loading servers…
          </p>
        ) : names.length === 0 ? (
          <p class="mcp-empty">No MCP servers yet. Add one, or install one of the presets below.</p>
        ) : (
          <ul class="mcp-servers" aria-label="Configured MCP servers">
            {names.map((n) => (
              <ServerRow key={n} name={n} s={servers[n]!} prompt={prompts.find((p) => p.server === n)} onChanged={refresh} />
            ))}
          </ul>
        )}
      </section>
      <McpPresets onInstalled={refresh} />
    </>
  );
}
