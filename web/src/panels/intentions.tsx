import { useEffect, useState } from 'preact/hooks';
import { link } from '../state/socket';
import { app } from '../state/stores';
import { toast } from '../state/ui';
import { intentionsApi, type Intention } from './api';
import { Empty, ErrorNote, Loading, useLoaded, when } from './common';

/** The server's presets (spec §3.14), in words. */
const PRESETS: [string, string][] = [
  ['every_morning_8am', 'Every morning at 8:00'],
  ['every_morning_9am', 'Every morning at 9:00'],
  ['weekday_morning_9am', 'Weekdays at 9:00'],
  ['daily_noon', 'Every day at noon'],
  ['every_evening_6pm', 'Every evening at 18:00'],
  ['every_night_10pm', 'Every night at 22:00'],
  ['every_hour', 'Every hour'],
  ['every_30_minutes', 'Every 30 minutes'],
  ['every_15_minutes', 'Every 15 minutes'],
  ['every_5_minutes', 'Every 5 minutes'],
  ['every_minute', 'Every minute'],
  ['weekly_monday_9am', 'Mondays at 9:00'],
  ['monthly_first_9am', 'The 1st of each month at 9:00'],
];
const CUSTOM = 'custom';

function scheduleLabel(s: string | undefined): string {
  if (!s) return 'No schedule';
  return PRESETS.find(([v]) => v === s)?.[1] ?? `Cron: ${s}`;
}

/** Intentions (spec §3.14): prompts the agent runs on a cron schedule. */
export default function IntentionsPanel() {
  const { data: items, error, refresh: load } = useLoaded(intentionsApi.list);
  const [name, setName] = useState('');
  const [prompt, setPrompt] = useState('');
  const [preset, setPreset] = useState(PRESETS[1]![0]);
  const [cron, setCron] = useState('0 9 * * *');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [running, setRunning] = useState<Record<string, string>>({});

  useEffect(
    () =>
      link.listen((f) => {
        if (f.type !== 'intention_started' && f.type !== 'intention_completed' && f.type !== 'intention_error') return;
        const id = String(f.intention_id ?? '');
        const state = f.type === 'intention_started' ? 'Running…' : f.type === 'intention_completed' ? 'Finished' : `Failed: ${String(f.error ?? 'see Health for details')}`;
        setRunning((r) => ({ ...r, [id]: state }));
        if (f.type !== 'intention_started') void load();
      }),
    [],
  );

  const create = async (e: Event) => {
    e.preventDefault();
    const schedule = preset === CUSTOM ? cron.trim() : preset;
    if (!name.trim() || !prompt.trim() || !schedule) {
      setFormError('Give it a name, a prompt and a schedule.');
      return;
    }
    setBusy(true);
    setFormError(null);
    try {
      await intentionsApi.create(name.trim(), prompt.trim(), schedule);
      setName('');
      setPrompt('');
      toast('Scheduled.');
      await load();
    } catch (err) {
      setFormError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const act = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      toast(`Could not ${what}: ${(err as Error).message}`, 'error');
    }
    await load();
  };

  const confirmDelete = (it: Intention) =>
    app.set({
      confirm: {
        title: `Delete “${it.name}”?`,
        body: 'It will not run again. This cannot be undone.',
        confirmLabel: 'Delete',
        danger: true,
        onConfirm: () => act('delete it', () => intentionsApi.remove(it.id)),
      },
    });

  return (
    <>
      <section class="pn-section" aria-labelledby="int-new">
        <h2 id="int-new">Schedule a prompt</h2>
        <form onSubmit={create} aria-label="Schedule a prompt">
          <div class="field">
            <label for="int-name">Name</label>
            <input id="int-name" type="text" placeholder="Morning briefing" value={name} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label for="int-prompt">What the agent should do</label>
            <textarea
              id="int-prompt"
              placeholder="Summarise my reminders for today and suggest one thing to focus on."
              value={prompt}
              onInput={(e) => setPrompt((e.currentTarget as HTMLTextAreaElement).value)}
            />
          </div>
          <div class="pn-form">
            <div class="field">
              <label for="int-schedule">When</label>
              <select id="int-schedule" value={preset} onChange={(e) => setPreset((e.currentTarget as HTMLSelectElement).value)}>
                {PRESETS.map(([v, label]) => (
                  <option key={v} value={v}>
                    {label}
                  </option>
                ))}
                <option value={CUSTOM}>Custom (cron expression)</option>
              </select>
            </div>
            {preset === CUSTOM ? (
              <div class="field">
                <label for="int-cron">Cron expression</label>
                <input
                  id="int-cron"
                  type="text"
                  value={cron}
                  spellcheck={false}
                  aria-describedby="int-cron-help"
                  onInput={(e) => setCron((e.currentTarget as HTMLInputElement).value)}
                />
              </div>
            ) : null}
            <button type="submit" class="btn btn-primary" disabled={busy}>
              {busy ? 'Saving…' : 'Schedule'}
            </button>
          </div>
          {preset === CUSTOM ? (
            <p class="field-help" id="int-cron-help">
              Five fields: minute hour day month weekday. “30 7 * * 1-5” is 7:30 on weekdays.
            </p>
          ) : null}
        </form>
        {formError ? <ErrorNote message={formError} /> : null}
      </section>
      <section class="pn-section" aria-labelledby="int-list">
        <h2 id="int-list">Scheduled</h2>
        {error ? (
          <ErrorNote what="Could not load the schedule" message={error} retry={() => void load()} />
        ) : items === null ? (
          <Loading what="scheduled prompts" />
        ) : items.length === 0 ? (
          <Empty>
            <p>Nothing scheduled yet.</p>
            <p>Add a prompt above and the agent runs it by itself at the times you pick; its answers appear in a chat.</p>
          </Empty>
        ) : (
          <ul class="pn-list" aria-label="Scheduled prompts">
            {items.map((it) => (
              <li class="pn-item" key={it.id} data-intention-id={it.id}>
                <div class="pn-item-main">
                  <p class="pn-item-title">{it.name}</p>
                  <p class="pn-item-text muted">{it.prompt}</p>
                  <p class="pn-meta">
                    <span>{scheduleLabel(it.trigger?.schedule)}</span>
                    <span>{it.enabled ? `Next: ${when(it.next_run)}` : 'Paused'}</span>
                    {it.last_run ? <span>Last run: {when(it.last_run)}</span> : null}
                    {running[it.id] ? <span role="status">{running[it.id]}</span> : null}
                  </p>
                </div>
                <div class="pn-actions">
                  <label class="pn-status">
                    <input
                      type="checkbox"
                      role="switch"
                      class="switch"
                      checked={it.enabled}
                      aria-label={`Run “${it.name}” on schedule`}
                      onChange={() => void act('change it', () => intentionsApi.toggle(it.id))}
                    />
                    <span aria-hidden="true">{it.enabled ? 'On' : 'Off'}</span>
                  </label>
                  <button
                    type="button"
                    class="btn btn-small"
                    aria-label={`Run “${it.name}” now`}
                    onClick={() => {
                      setRunning((r) => ({ ...r, [it.id]: 'Starting…' }));
                      void act('run it', () => intentionsApi.run(it.id));
                    }}
                  >
                    Run now
                  </button>
                  <button type="button" class="btn btn-small btn-ghost" aria-label={`Delete “${it.name}”`} onClick={() => confirmDelete(it)}>
                    Delete
                  </button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
