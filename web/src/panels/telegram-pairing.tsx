/**
 * Telegram's "Pair with QR" (spec §3.21): the server starts a temporary bot with the typed token
 * and answers with a QR code and a deep link; when the owner sends /start through it, the server
 * saves the token and the owner's user id as the allow list. The page asks every 2 s until then.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { telegramApi } from './api';

type Pairing =
  | { step: 'idle' }
  | { step: 'starting' }
  | { step: 'waiting'; qr: string; link: string }
  | { step: 'paired'; userId: string };

const POLL_MS = 2000;

export function TelegramPairing({ token, onPaired }: { token: string; onPaired(): Promise<void> }) {
  const [state, setState] = useState<Pairing>({ step: 'idle' });
  const [error, setError] = useState<string | null>(null);
  const live = useRef(true);
  useEffect(() => () => void (live.current = false), []);

  // While the QR is on screen: has the owner sent /start yet?
  const waiting = state.step === 'waiting';
  useEffect(() => {
    if (!waiting) return;
    let stopped = false;
    const t = setInterval(async () => {
      try {
        const s = await telegramApi.pairingStatus();
        if (stopped || !live.current || !s.paired) return;
        stopped = true;
        clearInterval(t);
        setState({ step: 'paired', userId: String(s.user_id ?? '') });
        await onPaired();
      } catch (err) {
        if (!stopped && live.current) setError(`Could not ask whether pairing worked: ${(err as Error).message}`);
      }
    }, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [waiting]);

  const start = async () => {
    setError(null);
    if (!token.trim()) {
      setError('Type the bot token above first: the saved token never comes back to the browser, so pairing needs it typed again.');
      return;
    }
    setState({ step: 'starting' });
    try {
      const r = await telegramApi.setup(token.trim());
      if (!live.current) return;
      if (r.error || !r.qr_url) {
        setError(r.error || 'The server gave no QR code. Check the token and try again.');
        setState({ step: 'idle' });
        return;
      }
      setState({ step: 'waiting', qr: r.qr_url, link: r.deep_link });
    } catch (err) {
      if (!live.current) return;
      const message = (err as Error).message;
      setError(/not found/i.test(message) ? 'This server cannot pair by QR yet: type your user id above instead.' : message);
      setState({ step: 'idle' });
    }
  };

  return (
    <div class="ch-pair" aria-labelledby="ch-pair-title">
      <p class="ch-label" id="ch-pair-title">
        Pair with QR
      </p>
      <p class="field-help">
        The easy way to fill in your user id: scan the code with your phone (or open the link), then press Start in Telegram.
      </p>
      {state.step === 'waiting' ? (
        <div class="ch-qr">
          <img src={state.qr} width={180} height={180} alt="QR code that opens the bot in Telegram" />
          <div>
            <p>
              <a href={state.link} target="_blank" rel="noopener noreferrer">
                Open the bot in Telegram
              </a>
            </p>
            <p class="pn-status" role="status">
              <span class="spinner" aria-hidden="true" /> Waiting for you to send /start to the bot…
            </p>
            <button type="button" class="btn btn-small btn-ghost" onClick={() => setState({ step: 'idle' })}>
              Cancel
            </button>
          </div>
        </div>
      ) : state.step === 'paired' ? (
        <p class="pn-status pn-ok" role="status">
          Paired ✓ The bot now answers only you (user id {state.userId}).
        </p>
      ) : (
        <button type="button" class="btn btn-small" disabled={state.step === 'starting'} onClick={() => void start()}>
          {state.step === 'starting' ? 'Making the QR code…' : 'Generate QR'}
        </button>
      )}
      {error ? (
        <p class="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
