import { useEffect, useState } from 'preact/hooks';
import { app, chat } from '../state/stores';
import { stopStreaming } from '../state/turn';
import { useStore } from '../store';
import './WaitingNotice.css';

/** Shown once the model has been silent this long after a message was sent. */
export const WAIT_NOTICE_AFTER_MS = 5000;

/**
 * "Still waiting for the model (20 s)…" with a Stop button: the answer has started (the turn is
 * streaming) but nothing of it has come yet — no text, no tool step, no thinking — for five
 * seconds. Counts up each second; gone with the first token, a stop or an error. The server
 * itself gives up after `llm_idle_timeout_seconds` (120 s by default).
 */
export function WaitingNotice() {
  const waiting = useStore(chat, (c) => {
    if (!c.streaming) return null;
    const last = c.messages[c.messages.length - 1];
    return last && last.role === 'assistant' && last.status === 'streaming' && last.parts.length === 0 && !last.error && !last.kind ? last.key : null;
  });
  const idleLimit = useStore(app, (a) => {
    const v = a.settings?.llm_idle_timeout_seconds;
    return typeof v === 'number' && v > 0 ? v : 120;
  });
  const [seconds, setSeconds] = useState(0);

  useEffect(() => {
    setSeconds(0);
    if (waiting === null) return;
    const started = performance.now();
    let timer = 0;
    const tick = () => {
      const elapsed = performance.now() - started;
      setSeconds(elapsed >= WAIT_NOTICE_AFTER_MS ? Math.floor(elapsed / 1000) : 0);
      // Next whole second (from the start, so the count does not drift).
      timer = window.setTimeout(tick, 1000 - (elapsed % 1000) + 5);
    };
    timer = window.setTimeout(tick, WAIT_NOTICE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [waiting]);

  if (waiting === null || seconds === 0) return null;
  return (
    <div class="waiting-notice" role="status">
      <span class="spinner" aria-hidden="true" />
      <p class="waiting-text">
        Still waiting for the model <span aria-hidden="true">({seconds} s)</span>…
        <span class="waiting-more"> It gives up after {idleLimit >= 120 && idleLimit % 60 === 0 ? `${idleLimit / 60} minutes` : `${idleLimit} s`} without a word.</span>
      </p>
      <button type="button" class="btn btn-small waiting-stop" onClick={stopStreaming}>
        Stop
      </button>
    </div>
  );
}
