import { useEffect, useRef, useState } from 'preact/hooks';
import { link } from '../state/socket';
import { auditApi, type AuditEvent } from './api';
import { Empty, ErrorNote, Loading, useLoaded, when } from './common';

const MAX = 500;
const TONE: Record<string, string> = { info: '', warning: 'warn', critical: 'bad', alert: 'bad' };

function matchesText(e: AuditEvent, text: string): boolean {
  if (!text) return true;
  const hay = `${e.action} ${e.target} ${e.actor} ${e.status} ${e.severity} ${JSON.stringify(e.context ?? {})}`.toLowerCase();
  return text.toLowerCase().split(/\s+/).filter(Boolean).every((w) => hay.includes(w));
}

/** The audit log (spec §3.13), newest first, with entries appended live as the server writes them. */
export default function AuditPanel() {
  const [action, setAction] = useState('');
  const [text, setText] = useState('');
  const [actions, setActions] = useState<string[]>([]);
  const [fresh, setFresh] = useState(0);
  const actionRef = useRef(action);
  actionRef.current = action;

  const learn = (list: AuditEvent[]) => setActions((cur) => [...new Set([...cur, ...list.map((e) => e.action)])].sort());

  const { data: items, setData: setItems, error, refresh: load } = useLoaded(async () => {
    const list = await auditApi.list(actionRef.current);
    learn(list);
    return list;
  }, [action]);

  useEffect(
    () =>
      link.listen((f) => {
        if (f.type !== 'system_event' || f.event_type !== 'audit_entry') return;
        const e = f.data as unknown as AuditEvent;
        if (!e || typeof e.action !== 'string') return;
        learn([e]);
        if (actionRef.current && e.action !== actionRef.current) return;
        setItems((cur) => (cur && !cur.some((x) => x.id === e.id) ? [e, ...cur].slice(0, MAX) : cur));
        setFresh((n) => n + 1);
      }),
    [],
  );

  const shown = items?.filter((e) => matchesText(e, text.trim())) ?? null;

  return (
    <>
      <div class="pn-toolbar" role="search" aria-label="Filter the audit log">
        <label for="audit-text" class="sr-only">
          Filter by text
        </label>
        <input id="audit-text" type="search" class="pn-grow" placeholder="Filter: tool, file, status…" value={text} onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)} />
        <label for="audit-action" class="sr-only">
          Action
        </label>
        <select id="audit-action" value={action} onChange={(e) => setAction((e.currentTarget as HTMLSelectElement).value)}>
          <option value="">All actions</option>
          {actions.map((a) => (
            <option key={a} value={a}>
              {a.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
        <button type="button" class="btn btn-small btn-ghost" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <p class="pn-status" role="status">
        <span class="pn-pill" data-tone="ok">
          Live
        </span>
        {shown ? ` ${shown.length} shown${fresh ? `, ${fresh} new since you opened this` : ''}. New entries appear at the top as they happen.` : ''}
      </p>
      {error ? (
        <ErrorNote what="Could not read the audit log" message={error} retry={() => void load()} />
      ) : shown === null ? (
        <Loading what="the audit log" />
      ) : shown.length === 0 ? (
        <Empty>
          {items && items.length > 0 ? (
            <p>No entry matches this filter. Clear the filter to see all {items.length}.</p>
          ) : (
            <p>The log is empty{action ? ' for this action' : ''}. Tool use, approvals, blocked commands and sign-ins are recorded here as they happen.</p>
          )}
        </Empty>
      ) : (
        <ul class="pn-list" aria-label="Audit entries">
          {shown.map((e) => (
            <li class="pn-item pn-audit-row" key={e.id} data-severity={e.severity} data-action={e.action}>
              <div class="pn-item-main">
                <p class="pn-item-title">
                  {e.action.replace(/_/g, ' ')} <span class="muted">· {e.target}</span>
                </p>
                <p class="pn-meta">
                  <span>{when(e.timestamp)}</span>
                  <span>by {e.actor}</span>
                  <span>{e.status}</span>
                  {e.severity !== 'info' ? (
                    <span class="pn-pill" data-tone={TONE[e.severity] ?? ''}>
                      {e.severity}
                    </span>
                  ) : null}
                </p>
                {e.context && Object.keys(e.context).length ? (
                  <details>
                    <summary class="small muted">Details</summary>
                    <pre class="pn-code">{JSON.stringify(e.context, null, 2)}</pre>
                  </details>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
