import { useRef, useState } from 'preact/hooks';
import { mcpApi, type McpServerInput, type McpTestResult, type McpTransport } from '../api-tools';
import { IconClose, IconPlus } from './icons';
import { ToolList, TRANSPORTS } from './McpParts';

type Field = 'name' | 'command' | 'url' | 'env';

/** Which field a refusal from the server is about, so it shows under that field. */
function fieldOf(detail: string): Field | null {
  if (/\bname\b/i.test(detail)) return 'name';
  if (/\b(command|program)\b/i.test(detail)) return 'command';
  if (/\b(url|address)\b/i.test(detail)) return 'url';
  if (/\benv/i.test(detail)) return 'env';
  return null;
}

interface EnvRow {
  id: number;
  key: string;
  value: string;
}

let envSeq = 1;

/** A new MCP server: a program this machine runs (stdio) or an address (HTTP); tested before it is saved, if the owner likes. */
export function McpAddForm({ onAdded, onCancel }: { onAdded(): Promise<void>; onCancel(): void }) {
  const [name, setName] = useState('');
  const [transport, setTransport] = useState<McpTransport>('stdio');
  const [command, setCommand] = useState('');
  const [args, setArgs] = useState('');
  const [url, setUrl] = useState('');
  const [env, setEnv] = useState<EnvRow[]>([]);
  const [busy, setBusy] = useState<'test' | 'add' | null>(null);
  const [error, setError] = useState<{ field: Field | null; text: string } | null>(null);
  const [tested, setTested] = useState<McpTestResult | null>(null);
  const nameRef = useRef<HTMLInputElement>(null);

  const stdio = transport === 'stdio';
  const input = (): McpServerInput => ({
    name: name.trim(),
    transport,
    command: stdio ? command.trim() : '',
    args: stdio ? args.split('\n').map((a) => a.trim()).filter(Boolean) : [],
    url: stdio ? '' : url.trim(),
    env: Object.fromEntries(env.filter((r) => r.key.trim()).map((r) => [r.key.trim(), r.value])),
  });

  const fail = (err: unknown) => {
    const text = (err as Error).message;
    setError({ field: fieldOf(text), text });
  };

  const test = async () => {
    setBusy('test');
    setError(null);
    setTested(null);
    try {
      setTested(await mcpApi.test({ ...input(), name: input().name || 'test' }));
    } catch (err) {
      fail(err);
    } finally {
      setBusy(null);
    }
  };

  const add = async (e: Event) => {
    e.preventDefault();
    setBusy('add');
    setError(null);
    try {
      await mcpApi.add(input());
      await onAdded();
    } catch (err) {
      fail(err);
      if (fieldOf((err as Error).message) === 'name') nameRef.current?.focus();
    } finally {
      setBusy(null);
    }
  };

  const errorFor = (f: Field) =>
    error?.field === f ? (
      <p class="field-error" id={`mcp-add-${f}-error`} role="alert">
        {error.text}
      </p>
    ) : null;
  const invalid = (f: Field) => (error?.field === f ? { 'aria-invalid': true, 'aria-describedby': `mcp-add-${f}-error` } : {});
  const setRow = (id: number, patch: Partial<EnvRow>) => setEnv((rows) => rows.map((r) => (r.id === id ? { ...r, ...patch } : r)));

  return (
    <form class="mcp-add" aria-labelledby="mcp-add-title" onSubmit={add} noValidate>
      <h4 id="mcp-add-title">Add an MCP server</h4>
      <div class="field-row">
        <div class="field">
          <label for="mcp-add-name">Name</label>
          <input id="mcp-add-name" ref={nameRef} type="text" autocomplete="off" spellcheck={false} placeholder="files" value={name} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} {...invalid('name')} autoFocus />
          {errorFor('name')}
        </div>
        <div class="field">
          <label for="mcp-add-transport">Transport</label>
          <select id="mcp-add-transport" value={transport} onChange={(e) => setTransport((e.currentTarget as HTMLSelectElement).value as McpTransport)}>
            {TRANSPORTS.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {stdio ? (
        <>
          <div class="field">
            <label for="mcp-add-command">Command</label>
            <input id="mcp-add-command" type="text" autocomplete="off" spellcheck={false} placeholder="npx" value={command} onInput={(e) => setCommand((e.currentTarget as HTMLInputElement).value)} {...invalid('command')} />
            {errorFor('command')}
          </div>
          <div class="field">
            <label for="mcp-add-args">Arguments</label>
            <textarea id="mcp-add-args" rows={3} wrap="off" spellcheck={false} autocomplete="off" placeholder={'-y\n@modelcontextprotocol/server-filesystem\n/home/me/notes'} value={args} aria-describedby="mcp-add-args-help" onInput={(e) => setArgs((e.currentTarget as HTMLTextAreaElement).value)} />
            <p class="field-help" id="mcp-add-args-help">
              One argument a line. The program runs in the sandbox: no network and only the workspace, unless its settings allow more.
            </p>
          </div>
        </>
      ) : (
        <div class="field">
          <label for="mcp-add-url">URL</label>
          <input id="mcp-add-url" type="url" autocomplete="off" spellcheck={false} placeholder="https://example.com/mcp" value={url} onInput={(e) => setUrl((e.currentTarget as HTMLInputElement).value)} {...invalid('url')} />
          {errorFor('url')}
        </div>
      )}
      <fieldset class="mcp-env">
        <legend>Environment variables</legend>
        {env.length === 0 ? <p class="field-help">None. Add API keys or settings the server reads from its environment.</p> : null}
        {env.map((r, i) => (
          <div class="mcp-env-row" key={r.id}>
            <input type="text" autocomplete="off" spellcheck={false} placeholder="API_KEY" aria-label={`Variable ${i + 1} name`} value={r.key} onInput={(e) => setRow(r.id, { key: (e.currentTarget as HTMLInputElement).value })} />
            <input type="password" autocomplete="off" spellcheck={false} data-lpignore="true" placeholder="value" aria-label={`Variable ${i + 1} value`} value={r.value} onInput={(e) => setRow(r.id, { value: (e.currentTarget as HTMLInputElement).value })} />
            <button type="button" class="icon-btn" aria-label={`Remove variable ${i + 1}`} onClick={() => setEnv((rows) => rows.filter((x) => x.id !== r.id))}>
              <IconClose />
            </button>
          </div>
        ))}
        <button type="button" class="btn btn-small btn-ghost" onClick={() => setEnv((rows) => [...rows, { id: envSeq++, key: '', value: '' }])}>
          <IconPlus /> Add a variable
        </button>
        {errorFor('env')}
      </fieldset>
      {tested ? (
        <div class={`mcp-test ${tested.connected ? 'mcp-test-ok' : 'mcp-test-fail'}`} role="status" data-test-result={tested.connected ? 'ok' : 'failed'}>
          {tested.connected ? <p>Connected: it offers {tested.tools.length === 1 ? '1 tool' : `${tested.tools.length} tools`}.</p> : <p>Could not connect: {tested.error || 'no reason given'}</p>}
          {tested.connected && tested.tools.length ? <ToolList tools={tested.tools} label="Tools the test found" open /> : null}
        </div>
      ) : null}
      {error && error.field === null ? (
        <p class="field-error" role="alert">
          {error.text}
        </p>
      ) : null}
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy !== null}>
          {busy === 'add' ? 'Adding…' : 'Add server'}
        </button>
        <button type="button" class="btn" disabled={busy !== null} onClick={() => void test()}>
          {busy === 'test' ? 'Testing…' : 'Test connection'}
        </button>
        <button type="button" class="btn btn-ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
