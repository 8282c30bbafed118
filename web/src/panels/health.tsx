import { useEffect, useState } from 'preact/hooks';
import { link } from '../state/socket';
import { toast } from '../state/ui';
import { healthApi, type HealthSummary } from './api';
import { Empty, ErrorNote, Loading, useLoaded, when } from './common';

const WORDS: Record<HealthSummary['status'], { text: string; tone: string }> = {
  healthy: { text: 'Healthy', tone: 'ok' },
  degraded: { text: 'Needs attention', tone: 'warn' },
  unhealthy: { text: 'Not working properly', tone: 'bad' },
  unknown: { text: 'Unknown', tone: '' },
};

/** Health (spec §3.6): the checks' verdict, running them now, and the server's recent errors. */
export default function HealthPanel() {
  const { data: summary, setData: setSummary, error, setError, refresh: loadSummary } = useLoaded(healthApi.summary);
  const { data: errors, setData: setErrors, error: errorsError, refresh: loadErrors } = useLoaded(healthApi.errors);
  const [busy, setBusy] = useState(false);

  useEffect(
    () =>
      link.listen((f) => {
        if (f.type === 'health_update' && f.data && typeof f.data === 'object') setSummary(f.data as HealthSummary);
      }),
    [],
  );

  const run = async () => {
    setBusy(true);
    try {
      const s = await healthApi.run();
      setSummary(s);
      setError(s.error ? s.error : null);
      toast('Checks finished.');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const clear = async () => {
    try {
      await healthApi.clearErrors();
      setErrors([]);
    } catch (err) {
      toast(`Could not clear the errors: ${(err as Error).message}`, 'error');
    }
  };

  const words = summary ? WORDS[summary.status] ?? WORDS.unknown : null;
  return (
    <>
      <section class="pn-section" aria-labelledby="health-status">
        <h2 id="health-status">Status</h2>
        <div class="pn-toolbar">
          {summary && words ? (
            <span class="pn-pill" data-tone={words.tone} data-status={summary.status}>
              {words.text}
            </span>
          ) : null}
          {summary ? (
            <span class="pn-status">
              {summary.check_count} checks, {summary.issues.length === 0 ? 'all passing' : `${summary.issues.length} with a problem`}
              {summary.last_check ? ` · checked ${when(summary.last_check)}` : ''}
            </span>
          ) : null}
          <button type="button" class="btn btn-small" disabled={busy} onClick={() => void run()}>
            {busy ? 'Checking…' : 'Run checks now'}
          </button>
        </div>
        {error ? (
          <ErrorNote what="Could not get the health status" message={error} retry={() => void loadSummary()} />
        ) : !summary ? (
          <Loading what="health status" />
        ) : summary.issues.length === 0 ? (
          <Empty>
            <p>Every check passes. Nothing to do.</p>
          </Empty>
        ) : (
          <ul class="pn-list" aria-label="Checks with a problem">
            {summary.issues.map((c) => (
              <li class="pn-item" key={c.check_id} data-check={c.check_id}>
                <div class="pn-item-main">
                  <p class="pn-item-title">
                    {c.name}{' '}
                    <span class="pn-pill" data-tone={c.status === 'critical' ? 'bad' : 'warn'}>
                      {c.status === 'critical' ? 'Problem' : 'Warning'}
                    </span>
                  </p>
                  {c.message ? <p class="pn-item-text">{c.message}</p> : null}
                  {c.fix_hint ? <p class="pn-meta">What to do: {c.fix_hint}</p> : null}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="pn-section" aria-labelledby="health-errors">
        <h2 id="health-errors">Recent errors</h2>
        {errorsError ? (
          <ErrorNote what="Could not read the error log" message={errorsError} retry={() => void loadErrors()} />
        ) : errors === null ? (
          <Loading what="recent errors" />
        ) : errors.length === 0 ? (
          <Empty>
            <p>No errors recorded. Failures on the server show up here, with the details needed to report them.</p>
          </Empty>
        ) : (
          <>
            <div class="pn-toolbar">
              <button type="button" class="btn btn-small btn-ghost" onClick={() => void clear()}>
                Clear the error log
              </button>
            </div>
            <ul class="pn-list" aria-label="Recent errors">
              {errors.map((e) => (
                <li class="pn-item" key={e.id}>
                  <div class="pn-item-main">
                    <p class="pn-item-title">{e.message}</p>
                    <p class="pn-meta">
                      <span>{when(e.timestamp)}</span>
                      <span>{e.source}</span>
                      <span>{e.severity}</span>
                    </p>
                    {e.traceback ? (
                      <details>
                        <summary class="small muted">Technical details</summary>
                        <pre class="pn-code">{e.traceback}</pre>
                      </details>
                    ) : null}
                  </div>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </>
  );
}
