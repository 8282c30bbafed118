import { useEffect, useState } from 'preact/hooks';
import { onReminderDue } from '../state/panels';
import { toast } from '../state/ui';
import { remindersApi, type Reminder } from './api';
import { Empty, ErrorNote, Loading, removeWith, timeLeft, useLoaded, useNow, when } from './common';

type Permission = NotificationPermission | 'unsupported';
const permissionNow = (): Permission => (typeof Notification === 'undefined' ? 'unsupported' : Notification.permission);

function NotificationsRow() {
  const [perm, setPerm] = useState<Permission>(permissionNow);
  const ask = async () => {
    try {
      setPerm(await Notification.requestPermission());
    } catch {
      setPerm(permissionNow());
    }
  };
  return (
    <div class="pn-toolbar pn-notify" data-permission={perm}>
      {perm === 'granted' ? (
        <span class="pn-status pn-ok">Notifications are on: a due reminder shows up even when this tab is in the background.</span>
      ) : perm === 'denied' ? (
        <span class="pn-status">Notifications are blocked for this site. To get them, allow notifications in the browser’s site settings.</span>
      ) : perm === 'unsupported' ? (
        <span class="pn-status">This browser cannot show notifications; due reminders appear as a notice in every open PocketPaw tab.</span>
      ) : (
        <>
          <span class="pn-status">Due reminders appear as a notice in every open PocketPaw tab.</span>
          <button type="button" class="btn btn-small" onClick={() => void ask()}>
            Allow notifications
          </button>
        </>
      )}
    </div>
  );
}

/** Reminders (spec §3.14): plain-words times, a live countdown, delete. */
export default function RemindersPanel() {
  const { data: items, setData: setItems, error, refresh: load } = useLoaded(remindersApi.list);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [addError, setAddError] = useState<string | null>(null);
  const now = useNow(1000);

  // Fired ones leave the list (here and in other tabs).
  useEffect(() => onReminderDue(() => void load()), []);

  const add = async (e: Event) => {
    e.preventDefault();
    if (!text.trim()) {
      setAddError('Type what to remind you of and when, such as “in 10 minutes check the oven”.');
      return;
    }
    setBusy(true);
    setAddError(null);
    try {
      const r = await remindersApi.add(text.trim());
      setText('');
      toast(`Reminder set for ${when(r.trigger_at)}.`);
      await load();
    } catch (err) {
      setAddError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (r: Reminder) => {
    if (!(await removeWith(remindersApi.remove, r, setItems, 'Reminder deleted.', 'Could not delete the reminder'))) void load();
  };

  return (
    <>
      <section class="pn-section" aria-labelledby="rem-add">
        <h2 id="rem-add">New reminder</h2>
        <form class="pn-form" onSubmit={add} aria-label="New reminder">
          <div class="field">
            <label for="rem-text">What and when</label>
            <input
              id="rem-text"
              type="text"
              placeholder="in 5 minutes call mum"
              value={text}
              autocomplete="off"
              onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
              aria-describedby="rem-text-help"
            />
          </div>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add reminder'}
          </button>
        </form>
        <p class="field-help" id="rem-text-help">
          Say when in plain words: “in 20 minutes …”, “at 3pm …”, “tomorrow at 9 …”.
        </p>
        {addError ? <ErrorNote message={addError} /> : null}
        <NotificationsRow />
      </section>
      <section class="pn-section" aria-labelledby="rem-list">
        <h2 id="rem-list">Coming up</h2>
        {error ? (
          <ErrorNote what="Could not load reminders" message={error} retry={() => void load()} />
        ) : items === null ? (
          <Loading what="reminders" />
        ) : items.length === 0 ? (
          <Empty>
            <p>No reminders set.</p>
            <p>Add one above, or ask in a chat: “remind me in an hour to stretch”.</p>
          </Empty>
        ) : (
          <ul class="pn-list" aria-label="Reminders">
            {items.map((r) => (
              <li class="pn-item" key={r.id} data-reminder-id={r.id}>
                <div class="pn-item-main">
                  <p class="pn-item-title">{r.text}</p>
                  <p class="pn-meta">
                    <span>{when(r.trigger_at)}</span>
                    <span class="pn-left">{timeLeft(r.trigger_at, now)}</span>
                  </p>
                </div>
                <div class="pn-actions">
                  <button type="button" class="btn btn-small btn-ghost" aria-label={`Delete reminder “${r.text}”`} onClick={() => void remove(r)}>
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
