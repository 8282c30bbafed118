/**
 * Channels (spec §3.7): the chat apps people can reach the agent through. Each runnable one has
 * its state with Start/Stop, an autostart switch and its setup form; the platforms this server
 * cannot run are listed; at the bottom, what channel users may make the agent do and where
 * reminders go.
 */
import { useState } from 'preact/hooks';
import '../components/SettingsDialog.css';
import { toast } from '../state/ui';
import { FormFooter } from '../components/FormFooter';
import { channelsApi, RUNNABLE, settingsApi, type ChannelName, type ChannelStatus, type PublicSettings, type RunnableChannel } from './api';
import { ChannelForm, FORMS } from './channel-forms';
import { ErrorNote, Loading, useLoaded } from './common';
import './channels.css';

const OTHER: Record<Exclude<ChannelName, RunnableChannel>, string> = {
  signal: 'Signal', matrix: 'Matrix', teams: 'Microsoft Teams', google_chat: 'Google Chat',
};

type State = 'running' | 'stopped' | 'unconfigured';
const STATE_LABEL: Record<State, string> = { running: 'Running', stopped: 'Stopped', unconfigured: 'Not configured' };
const STATE_TONE: Record<State, string> = { running: 'ok', stopped: 'warn', unconfigured: '' };

const stateOf = (s: ChannelStatus | undefined): State => (s?.running ? 'running' : s?.configured ? 'stopped' : 'unconfigured');

interface Loaded {
  status: Partial<Record<ChannelName, ChannelStatus>>;
  settings: PublicSettings;
}

const loadAll = async (): Promise<Loaded> => {
  const [status, settings] = await Promise.all([channelsApi.status(), settingsApi.get()]);
  return { status, settings };
};

function ChannelCard({ name, status, settings, onChanged }: { name: RunnableChannel; status: ChannelStatus | undefined; settings: PublicSettings; onChanged(): Promise<void> }) {
  const [busy, setBusy] = useState<'start' | 'stop' | 'autostart' | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const title = FORMS[name].title;
  const state = stateOf(status);
  const id = `ch-${name}`;

  const toggle = async (action: 'start' | 'stop') => {
    setBusy(action);
    setProblem(null);
    try {
      const r = await channelsApi.toggle(name, action);
      // A refusal comes back as 200 {error}: its text says what to do, so it is shown as it is.
      if ('error' in r) setProblem(r.error);
      else if ('missing_dep' in r) setProblem(`${title} needs the ${r.package} library, which is missing from this server: reinstall PocketPaw.`);
      else toast(`${title} ${r.running ? 'started' : 'stopped'}.`);
      await onChanged();
    } catch (err) {
      setProblem((err as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const setAutostart = async (on: boolean) => {
    setBusy('autostart');
    setProblem(null);
    try {
      await channelsApi.save(name, { autostart: on });
      await onChanged();
    } catch (err) {
      setProblem(`Could not change autostart: ${(err as Error).message}`);
    } finally {
      setBusy(null);
    }
  };

  const running = state === 'running';
  // Open at first when there is something to set up; after that the owner opens and closes it.
  const [setupOpen] = useState(state === 'unconfigured');
  return (
    <section class="pn-section ch-card" aria-labelledby={`${id}-title`} data-channel={name} data-state={state} aria-busy={busy ? 'true' : undefined}>
      <div class="ch-head">
        <h2 id={`${id}-title`}>{title}</h2>
        <span class="pn-pill ch-state" data-tone={STATE_TONE[state]}>
          {STATE_LABEL[state]}
        </span>
        <div class="ch-actions">
          <button
            type="button"
            class={running ? 'btn btn-small' : 'btn btn-small btn-primary'}
            disabled={busy !== null || (!running && state === 'unconfigured')}
            aria-describedby={state === 'unconfigured' ? `${id}-start-help` : undefined}
            onClick={() => void toggle(running ? 'stop' : 'start')}
          >
            {busy === 'start' ? 'Starting…' : busy === 'stop' ? 'Stopping…' : running ? `Stop ${title}` : `Start ${title}`}
          </button>
          <label class="ch-autostart">
            <input
              type="checkbox"
              role="switch"
              class="switch"
              checked={status?.autostart !== false}
              disabled={busy !== null}
              onChange={(e) => void setAutostart((e.currentTarget as HTMLInputElement).checked)}
            />
            <span>Autostart</span>
            <span class="sr-only"> {title} when the server starts</span>
          </label>
        </div>
      </div>
      {state === 'unconfigured' ? (
        <p class="field-help" id={`${id}-start-help`}>
          Fill in the settings below and save them; then it can start.
        </p>
      ) : null}
      <div class="ch-problem" role="alert">
        {problem ? <p>{problem}</p> : null}
      </div>
      <details class="ch-setup" open={setupOpen}>
        <summary>{state === 'unconfigured' ? `Set up ${title}` : `${title} settings`}</summary>
        <ChannelForm channel={name} settings={settings} onSaved={onChanged} />
      </details>
    </section>
  );
}

function OtherChannels({ status }: { status: Loaded['status'] }) {
  return (
    <section class="pn-section" aria-labelledby="ch-other">
      <h2 id="ch-other">Other platforms</h2>
      <ul class="ch-others" aria-label="Platforms this server cannot run">
        {(Object.keys(OTHER) as (keyof typeof OTHER)[]).map((n) => (
          <li key={n} data-channel={n} data-state="unsupported">
            <strong>{OTHER[n]}</strong>
            <span class="muted">
              {' '}
              — not supported by this server yet{status[n]?.configured ? '; its settings from PocketPaw are kept' : ''}.
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

type Profile = 'minimal' | 'coding' | 'full';
const PROFILES: { value: Profile; label: string; help: string }[] = [
  { value: 'minimal', label: 'Minimal (recommended)', help: 'Chat, memory and the clock. Nobody writing from a chat app can touch files, run commands or browse.' },
  { value: 'coding', label: 'Coding', help: 'Adds reading and writing files in the workspace and running shell commands. Only when the allow lists hold just you.' },
  { value: 'full', label: 'Full', help: 'Every tool, web included. Whoever is on an allow list can make the agent do anything it can do here.' },
];

/** `notify_channel` (src/channels/notify.ts): a bare channel means the owner's own chat there. */
const NOTIFY: { value: string; label: string }[] = [
  { value: '', label: 'Only the dashboard' },
  { value: 'telegram', label: 'Telegram (your chat with the bot)' },
  { value: 'slack', label: 'Slack (the first allowed channel)' },
  { value: 'whatsapp', label: 'WhatsApp (the first allowed number)' },
];
const CUSTOM = '__custom';

function ChannelPolicy({ settings, onSaved }: { settings: PublicSettings; onSaved(): Promise<void> }) {
  const current = typeof settings.notify_channel === 'string' ? settings.notify_channel : '';
  const known = NOTIFY.some((n) => n.value === current);
  const [profile, setProfile] = useState<Profile>(() => (['minimal', 'coding', 'full'].includes(String(settings.channel_tool_profile)) ? (settings.channel_tool_profile as Profile) : 'minimal'));
  const [notify, setNotify] = useState(known ? current : CUSTOM);
  const [target, setTarget] = useState(known ? '' : current);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const save = async (e: Event) => {
    e.preventDefault();
    const notifyChannel = notify === CUSTOM ? target.trim() : notify;
    if (notify === CUSTOM && !/^[a-z_]+:.+/.test(notifyChannel)) {
      setError('Write the chat as <channel>:<chat id>, for example discord:123456789012345678.');
      return;
    }
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      await settingsApi.put({ channel_tool_profile: profile, notify_channel: notifyChannel });
      setSaved('Saved.');
      await onSaved();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="pn-section" aria-labelledby="ch-policy">
      <h2 id="ch-policy">Channel users and notices</h2>
      <form class="ch-form" onSubmit={save} aria-labelledby="ch-policy" noValidate>
        <fieldset class="ch-fieldset">
          <legend>What people writing from a chat app may make the agent do</legend>
          {PROFILES.map((p) => (
            <div class="ch-choice" key={p.value}>
              <input
                type="radio"
                id={`ch-profile-${p.value}`}
                name="channel_tool_profile"
                value={p.value}
                checked={profile === p.value}
                aria-describedby={`ch-profile-${p.value}-help`}
                onChange={() => setProfile(p.value)}
              />
              <div>
                <label for={`ch-profile-${p.value}`}>{p.label}</label>
                <p class="field-help" id={`ch-profile-${p.value}-help`}>
                  {p.help}
                </p>
              </div>
            </div>
          ))}
          <p class="field-help">Your own chats here in the dashboard keep the Agent powers setting.</p>
        </fieldset>
        <div class="field">
          <label for="ch-notify">Where reminders and scheduled results go</label>
          <select id="ch-notify" value={notify} aria-describedby="ch-notify-help" onChange={(e) => setNotify((e.currentTarget as HTMLSelectElement).value)}>
            {NOTIFY.map((n) => (
              <option key={n.value} value={n.value}>
                {n.label}
              </option>
            ))}
            <option value={CUSTOM}>Another chat…</option>
          </select>
          <p class="field-help" id="ch-notify-help">
            For reminders set here in the dashboard. One asked for from a chat app is answered in that chat. The channel must be running.
          </p>
        </div>
        {notify === CUSTOM ? (
          <div class="field">
            <label for="ch-notify-target">Chat to send them to</label>
            <input id="ch-notify-target" type="text" value={target} spellcheck={false} placeholder="discord:123456789012345678" aria-describedby="ch-notify-target-help" onInput={(e) => setTarget((e.currentTarget as HTMLInputElement).value)} />
            <p class="field-help" id="ch-notify-target-help">
              The channel, a colon and the chat id: a Discord channel, a Slack channel (C…), a Telegram chat or a WhatsApp number.
            </p>
          </div>
        ) : null}
        <FormFooter busy={busy} label="Save" saved={saved} error={error} />
      </form>
    </section>
  );
}

export default function ChannelsPanel() {
  const { data, error, refresh } = useLoaded(loadAll);
  if (error) return <ErrorNote what="Could not load the channels" message={error} retry={() => void refresh()} />;
  if (!data) return <Loading what="channels" />;
  return (
    <div class="ch">
      <p class="muted ch-intro">
        Talk to PocketPaw from a chat app. Each one answers only the people on its allow list; their conversations show up in the sidebar,
        marked with the app’s name.
      </p>
      {RUNNABLE.map((n) => (
        <ChannelCard key={n} name={n} status={data.status[n]} settings={data.settings} onChanged={refresh} />
      ))}
      <OtherChannels status={data.status} />
      <ChannelPolicy settings={data.settings} onSaved={refresh} />
    </div>
  );
}
