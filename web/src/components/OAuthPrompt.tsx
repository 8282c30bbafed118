import { dismissOAuth, oauthPrompts, type OAuthPrompt } from '../state/mcp';
import { useStore } from '../store';
import { IconClose } from './icons';
import './OAuthPrompt.css';

/** Opens the sign-in page in a new tab, never this one, and without giving it a handle on us. */
export function openSignIn(p: OAuthPrompt): void {
  window.open(p.url, '_blank', 'noopener,noreferrer');
  dismissOAuth(p.server);
}

/** A server's sign-in link as a button that says where it goes. */
export function SignInButton({ prompt, small }: { prompt: OAuthPrompt; small?: boolean }) {
  return (
    <button type="button" class={`btn btn-primary${small ? ' btn-small' : ''}`} onClick={() => openSignIn(prompt)} aria-label={`Sign in to ${prompt.server} at ${prompt.host} (opens a new tab)`}>
      Sign in at {prompt.host}
    </button>
  );
}

/** `mcp_oauth_redirect` prompts: each MCP server that waits for the owner to sign in. */
export function OAuthPrompts() {
  const items = useStore(oauthPrompts, (s) => s.items);
  return (
    <div class="oauth-prompts" aria-live="polite">
      {items.map((p) => (
        <section key={p.server} class="oauth-prompt" aria-labelledby={`oauth-${p.server}`} data-oauth-server={p.server}>
          <div class="oauth-text">
            <h2 id={`oauth-${p.server}`}>
              Sign in to <span class="oauth-server">{p.server}</span>
            </h2>
            <p>
              This MCP server needs you to sign in before its tools work. The sign-in page opens in a new tab at <strong class="oauth-host">{p.host}</strong>.
            </p>
            <div class="oauth-actions">
              <SignInButton prompt={p} small />
              <button type="button" class="btn btn-ghost btn-small" onClick={() => dismissOAuth(p.server)}>
                Not now
              </button>
            </div>
          </div>
          <button type="button" class="icon-btn oauth-close" aria-label={`Dismiss the sign-in request of ${p.server}`} onClick={() => dismissOAuth(p.server)}>
            <IconClose />
          </button>
        </section>
      ))}
    </div>
  );
}
