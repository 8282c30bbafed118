import { useState } from 'preact/hooks';
import { logout } from '../state/boot';
import { isMac, modKey } from './Sidebar';

/** Settings › General: signing a phone in, and the keyboard shortcuts. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function AccessSection() {
  const [nonce] = useState(() => Date.now());
  const [failed, setFailed] = useState(false);
  const loopback = LOOPBACK.has(location.hostname);
  return (
    <section class="settings-section" aria-labelledby="set-access">
      <h3 id="set-access">Sign in from your phone</h3>
      <div class="qr-row">
        <figure class="qr">
          {failed ? (
            <div class="qr-failed">QR code unavailable</div>
          ) : (
            <img src={`/api/qr?t=${nonce}`} width={168} height={168} alt="QR code that signs a phone in to this dashboard for one hour" onError={() => setFailed(true)} />
          )}
        </figure>
        <div class="qr-text">
          <p>
            Scan with your phone’s camera: it opens this dashboard at <strong>{location.host}</strong> and signs in for one hour.
          </p>
          {loopback ? (
            <p class="muted small">
              {location.hostname} is only reachable from this computer. To use a phone, start PocketPaw with <code>--host 0.0.0.0</code> and open the
              dashboard here through this computer’s network address; the code then points there.
            </p>
          ) : null}
          <p class="muted small">
            Other devices and scripts use the access token. It is never shown here: run <code>npx pocketpaw token</code> on the PocketPaw machine.
          </p>
        </div>
      </div>
      <div class="form-actions">
        <button type="button" class="btn btn-ghost" onClick={() => void logout()}>
          Sign out of this browser
        </button>
      </div>
    </section>
  );
}

export function Shortcuts() {
  const rows: [string, string][] = [
    [`${modKey} K`, 'Search conversations'],
    [isMac ? '⌘ ⇧ O' : 'Ctrl Shift O', 'New chat'],
    [isMac ? '⌘ ⇧ P' : 'Ctrl Shift P', 'Command palette: tool panels and commands'],
    ['F2', 'Rename the selected conversation'],
    ['Enter / Shift Enter', 'Send / new line'],
    ['Esc', 'Cancel, close'],
  ];
  return (
    <section class="settings-section" aria-labelledby="set-keys">
      <h3 id="set-keys">Keyboard shortcuts</h3>
      <dl class="shortcuts">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>
              <kbd>{k}</kbd>
            </dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
