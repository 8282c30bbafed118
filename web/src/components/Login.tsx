import { useState } from 'preact/hooks';
import { login } from '../state/boot';
import { app } from '../state/stores';
import { useStore } from '../store';
import { PawLogo } from './icons';
import './Login.css';

/** For browsers that are not on the PocketPaw machine: token in, HttpOnly cookie out. */
export function LoginPage() {
  const message = useStore(app, (a) => a.loginMessage);
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!token.trim() || busy) return;
    setBusy(true);
    setError(null);
    const err = await login(token);
    setBusy(false);
    if (err) setError(err);
  };

  return (
    <main class="login" aria-labelledby="login-title">
      <form class="login-card" onSubmit={submit}>
        <PawLogo size={52} />
        <h1 id="login-title">Sign in to PocketPaw</h1>
        <p class="muted">This browser is not on the PocketPaw machine, so it needs the access token once.</p>
        {message ? (
          <p class="notice" role="status">
            {message}
          </p>
        ) : null}
        <div class="field">
          <label for="login-token">Access token</label>
          <input
            id="login-token"
            type="password"
            autocomplete="current-password"
            spellcheck={false}
            autoFocus
            required
            value={token}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'login-error' : 'login-help'}
            onInput={(e) => {
              setToken((e.currentTarget as HTMLInputElement).value);
              setError(null);
            }}
          />
        </div>
        {error ? (
          <p id="login-error" class="field-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" class="btn btn-primary btn-block" disabled={busy || !token.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p id="login-help" class="help">
          Get the token on the PocketPaw machine with <code>npx pocketpaw token</code>, or scan the QR code under Settings in the dashboard
          there.
        </p>
      </form>
    </main>
  );
}
