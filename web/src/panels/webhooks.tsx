/**
 * Webhooks (spec §3.12): doors other programs knock on to talk to the agent, each with its own
 * secret. The server hands a secret out once (when it is made or replaced) and lists it masked
 * afterwards, so the page keeps the full one only while it is on screen — which is also the only
 * time the Test button can prove the door works the way a caller would use it.
 */
import { useState } from 'preact/hooks';
import '../components/SettingsDialog.css';
import { app } from '../state/stores';
import { toast } from '../state/ui';
import { webhooksApi, type Webhook } from './api';
import { CopyButton } from './channel-forms';
import { Empty, ErrorNote, Loading, useLoaded } from './common';
import './channels.css';

const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

function curlFor(url: string, secret: string | null): string {
  return [
    `curl -X POST '${url}?wait=true' \\`,
    "  -H 'Content-Type: application/json' \\",
    `  -H 'X-Webhook-Secret: ${secret ?? 'YOUR_SECRET'}' \\`,
    `  -d '{"content": "Hello from my script"}'`,
  ].join('\n');
}

function AddForm({ onAdded }: { onAdded(name: string, secret: string): Promise<void> }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [timeout, setTimeoutText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const add = async (e: Event) => {
    e.preventDefault();
    const n = name.trim();
    const seconds = timeout.trim() ? Number(timeout) : undefined;
    if (!n || !NAME_PATTERN.test(n)) {
      setError('Give it a name of letters, digits, hyphens and underscores, such as “home-assistant”.');
      return;
    }
    if (seconds !== undefined && (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600)) {
      setError('The wait limit is a whole number of seconds from 1 to 3600, or empty for the default.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const made = await webhooksApi.add(n, description.trim(), seconds);
      setName('');
      setDescription('');
      setTimeoutText('');
      await onAdded(made.name, made.secret);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={add} aria-label="New webhook" noValidate>
      <div class="pn-form">
        <div class="field">
          <label for="wh-name">Name</label>
          <input id="wh-name" type="text" value={name} spellcheck={false} autocomplete="off" placeholder="home-assistant" aria-describedby="wh-name-help" onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="wh-desc">What calls it (optional)</label>
          <input id="wh-desc" type="text" value={description} placeholder="Doorbell events" onInput={(e) => setDescription((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field wh-timeout">
          <label for="wh-timeout">Wait limit, seconds (optional)</label>
          <input id="wh-timeout" type="text" inputMode="numeric" value={timeout} placeholder="30" aria-describedby="wh-timeout-help" onInput={(e) => setTimeoutText((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add webhook'}
        </button>
      </div>
      <p class="field-help" id="wh-name-help">
        The name is part of the address: letters, digits, hyphens and underscores.
      </p>
      <p class="field-help" id="wh-timeout-help">
        How long a caller that asks to wait (?wait=true) gets for the agent’s answer.
      </p>
      {error ? <ErrorNote message={error} /> : null}
    </form>
  );
}

const TEST_MESSAGE = 'Hello! This is a test from the PocketPaw dashboard: answer in one short sentence.';

type TestState = { step: 'idle' } | { step: 'busy' } | { step: 'answer'; text: string } | { step: 'failed'; text: string } | { step: 'no-secret' };

/** The outcome of the Test button, read out when it arrives. */
function TestResult({ state, onRegenerate }: { state: TestState; onRegenerate(): void }) {
  if (state.step === 'answer') {
    return (
      <p class="wh-answer">
        <strong>Test passed. The agent answered:</strong> <span class="wh-answer-text">{state.text}</span>
      </p>
    );
  }
  if (state.step === 'failed') return <p class="field-error">The test failed: {state.text}</p>;
  if (state.step === 'busy') return <p class="pn-status">Sent; waiting for the agent’s answer…</p>;
  if (state.step !== 'no-secret') return null;
  return (
    <p class="field-help">
      Testing needs the full secret, which is shown only right after it is made.{' '}
      <button type="button" class="link-btn wh-link" onClick={onRegenerate}>
        Make a new secret to test
      </button>{' '}
      (the old one stops working).
    </p>
  );
}

function HookCard({ hook, secret, onRegenerate, onRemove, onForget }: {
  hook: Webhook; secret: string | null; onRegenerate(): void; onRemove(): void; onForget(): void;
}) {
  const [test, setTest] = useState<TestState>({ step: 'idle' });
  // A call exactly as an outside program makes it: the public door, the secret in the header.
  const run = async () => {
    if (!secret) {
      setTest({ step: 'no-secret' });
      return;
    }
    setTest({ step: 'busy' });
    try {
      const r = await webhooksApi.test(hook.name, secret, TEST_MESSAGE);
      setTest(r.status === 'timeout'
        ? { step: 'failed', text: `no answer within ${hook.sync_timeout} s; the agent may still be working on it.` }
        : { step: 'answer', text: r.response || '(an empty answer)' });
    } catch (err) {
      setTest({ step: 'failed', text: (err as Error).message });
    }
  };
  return (
    <li class="pn-item" data-webhook={hook.name}>
      <div class="pn-item-main">
        <p class="pn-item-title">{hook.name}</p>
        {hook.description ? <p class="pn-item-text muted">{hook.description}</p> : null}
        <div class="ch-copy-row">
          <code class="ch-code" aria-label={`Address of ${hook.name}`}>
            {hook.url}
          </code>
          <CopyButton text={hook.url} what={`the address of ${hook.name}`} />
        </div>
        <p class="pn-meta">
          <span>
            Secret: <code class="wh-masked">{hook.secret}</code>
          </span>
          <span>Waits up to {hook.sync_timeout} s</span>
        </p>
        {secret ? (
          <div class="wh-secret" role="status">
            <p>
              <strong>New secret — copy it now, it will not be shown again.</strong>
            </p>
            <div class="ch-copy-row">
              <code class="ch-code wh-full-secret" aria-label={`Secret of ${hook.name}`}>
                {secret}
              </code>
              <CopyButton text={secret} what={`the secret of ${hook.name}`} />
              <button type="button" class="btn btn-small btn-ghost" onClick={onForget}>
                Done, hide it
              </button>
            </div>
          </div>
        ) : null}
        <details class="wh-details">
          <summary>Example call</summary>
          <pre class="pn-code">{curlFor(hook.url, secret)}</pre>
        </details>
        <div class="wh-result" aria-live="polite">
          <TestResult state={test} onRegenerate={onRegenerate} />
        </div>
      </div>
      <div class="pn-actions">
        <button type="button" class="btn btn-small" disabled={test.step === 'busy'} aria-label={`Test ${hook.name}`} onClick={() => void run()}>
          {test.step === 'busy' ? 'Testing…' : 'Test'}
        </button>
        <button type="button" class="btn btn-small btn-ghost" aria-label={`New secret for ${hook.name}`} onClick={onRegenerate}>
          New secret
        </button>
        <button type="button" class="btn btn-small btn-ghost" aria-label={`Delete ${hook.name}`} onClick={onRemove}>
          Delete
        </button>
      </div>
    </li>
  );
}

/** Webhooks (spec §3.12): add, list with the address and a masked secret, try, new secret, delete. */
export default function WebhooksPanel() {
  const { data: hooks, error, refresh } = useLoaded(webhooksApi.list);
  /** Full secrets this page was just given, by webhook name: never stored, gone on reload. */
  const [fresh, setFresh] = useState<Record<string, string>>({});
  const forget = (name: string) => setFresh(({ [name]: _gone, ...rest }) => rest);

  const act = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      toast(`Could not ${what}: ${(err as Error).message}`, 'error');
    }
    await refresh();
  };

  const regenerate = (h: Webhook) =>
    app.set({
      confirm: {
        title: `New secret for “${h.name}”?`,
        body: 'The current secret stops working at once: every program that calls this webhook needs the new one.',
        confirmLabel: 'Make a new secret',
        danger: true,
        onConfirm: () => act('make a new secret', async () => {
          const secret = await webhooksApi.regenerate(h.name);
          setFresh((f) => ({ ...f, [h.name]: secret }));
        }),
      },
    });

  const remove = (h: Webhook) =>
    app.set({
      confirm: {
        title: `Delete “${h.name}”?`,
        body: 'Calls to its address will be refused from now on. This cannot be undone.',
        confirmLabel: 'Delete',
        danger: true,
        onConfirm: () => act('delete it', async () => {
          await webhooksApi.remove(h.name);
          forget(h.name);
          toast(`Webhook “${h.name}” deleted.`);
        }),
      },
    });

  return (
    <div class="ch">
      <section class="pn-section" aria-labelledby="wh-new">
        <h2 id="wh-new">New webhook</h2>
        <AddForm
          onAdded={async (name, secret) => {
            setFresh((f) => ({ ...f, [name]: secret }));
            toast(`Webhook “${name}” added. Copy its secret now.`);
            await refresh();
          }}
        />
      </section>
      <section class="pn-section" aria-labelledby="wh-list">
        <h2 id="wh-list">Webhooks</h2>
        {error ? (
          <ErrorNote what="Could not load the webhooks" message={error} retry={() => void refresh()} />
        ) : hooks === null ? (
          <Loading what="webhooks" />
        ) : hooks.length === 0 ? (
          <Empty>
            <p>No webhooks yet.</p>
            <p>Add one for each program that should talk to the agent (a home automation, a CI job, a form on your site).</p>
          </Empty>
        ) : (
          <ul class="pn-list" aria-label="Webhooks">
            {hooks.map((h) => (
              <HookCard key={h.name} hook={h} secret={fresh[h.name] ?? null} onRegenerate={() => regenerate(h)} onRemove={() => remove(h)} onForget={() => forget(h.name)} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
