/**
 * The setup form of each runnable channel: the fields its platform needs, each with a line on
 * where to find it there. Tokens are write-only: the server never sends them back (only a
 * `has_<name>` flag), so a saved one shows as "saved" and an empty field keeps it.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { copyText } from '../markdown';
import { toast } from '../state/ui';
import { channelsApi, type PublicSettings, type RunnableChannel } from './api';
import { TelegramPairing } from './telegram-pairing';
import { FormFooter } from '../components/FormFooter';

type FieldKind = 'secret' | 'text' | 'id' | 'list';

interface FieldSpec {
  /** The `channels/save` config key (src/channels/definitions.ts). */
  key: string;
  /** The setting it lands in: its value prefills the field, or `has_<setting>` for a secret. */
  setting: string;
  label: string;
  kind: FieldKind;
  hint: string;
  placeholder?: string;
  /** Inside the "Advanced" disclosure. */
  advanced?: boolean;
  /** A token of this platform starts so: a pasted token of the other kind is caught here. */
  prefix?: string;
}

const baseUrl = (setting: string, what: string): FieldSpec => ({
  key: 'api_base_url', setting, label: 'API base URL', kind: 'text', advanced: true,
  hint: `Where ${what} is reached. Change it only for a proxy or a self-hosted server; leave it empty to keep the current one.`,
});

export const FORMS: Record<RunnableChannel, { title: string; fields: FieldSpec[] }> = {
  telegram: {
    title: 'Telegram',
    fields: [
      { key: 'bot_token', setting: 'telegram_bot_token', label: 'Bot token', kind: 'secret', placeholder: '123456789:AA…',
        hint: 'Create a bot with @BotFather in Telegram (/newbot) and paste the token it gives you.' },
      { key: 'allowed_user_id', setting: 'allowed_user_id', label: 'Allowed user id', kind: 'id', placeholder: '123456789',
        hint: 'The only Telegram user the bot answers: yours. “Pair with QR” fills it in; @userinfobot also tells you your id.' },
      baseUrl('telegram_api_base_url', 'the Telegram Bot API'),
    ],
  },
  discord: {
    title: 'Discord',
    fields: [
      { key: 'bot_token', setting: 'discord_bot_token', label: 'Bot token', kind: 'secret',
        hint: 'Developer Portal → your application → Bot → Token (Reset Token). On that page, enable Message Content Intent.' },
      { key: 'allowed_user_ids', setting: 'discord_allowed_user_ids', label: 'Allowed user ids', kind: 'list', placeholder: '123456789012345678',
        hint: 'Who may talk to the bot. In Discord turn on Settings → Advanced → Developer Mode, then right-click a user → Copy User ID.' },
      { key: 'allowed_guild_ids', setting: 'discord_allowed_guild_ids', label: 'Allowed server ids (optional)', kind: 'list',
        hint: 'Servers the bot answers in (right-click a server → Copy Server ID). With both lists set a message must match both, so direct messages are refused.' },
      baseUrl('discord_api_base_url', 'the Discord API'),
    ],
  },
  slack: {
    title: 'Slack',
    fields: [
      { key: 'app_token', setting: 'slack_app_token', label: 'App-level token', kind: 'secret', placeholder: 'xapp-…', prefix: 'xapp-',
        hint: 'api.slack.com/apps → your app → Basic Information → App-Level Tokens: one with connections:write. Turn Socket Mode on.' },
      { key: 'bot_token', setting: 'slack_bot_token', label: 'Bot token', kind: 'secret', placeholder: 'xoxb-…', prefix: 'xoxb-',
        hint: 'OAuth & Permissions → Bot User OAuth Token (xoxb-…), after installing the app to your workspace.' },
      { key: 'allowed_channel_ids', setting: 'slack_allowed_channel_ids', label: 'Allowed channel ids', kind: 'list', placeholder: 'C0123ABCD',
        hint: 'Channels the bot answers in: open a channel, click its name; the id (C…) is at the bottom. Invite the bot there too.' },
      baseUrl('slack_api_base_url', 'the Slack Web API'),
    ],
  },
  whatsapp: {
    title: 'WhatsApp',
    fields: [
      { key: 'phone_number_id', setting: 'whatsapp_phone_number_id', label: 'Phone number id', kind: 'text',
        hint: 'Meta for Developers → your app → WhatsApp → API Setup: “Phone number ID” (not the phone number itself).' },
      { key: 'access_token', setting: 'whatsapp_access_token', label: 'Access token', kind: 'secret',
        hint: 'Same page: the access token. For lasting use, make a permanent one for a system user in Business Settings.' },
      { key: 'app_secret', setting: 'whatsapp_app_secret', label: 'App secret', kind: 'secret',
        hint: 'App settings → Basic → App secret. It proves that each webhook call really comes from Meta.' },
      { key: 'verify_token', setting: 'whatsapp_verify_token', label: 'Verify token', kind: 'secret',
        hint: 'A word you make up: type the same one in WhatsApp → Configuration → Webhook, with the callback URL below.' },
      { key: 'allowed_phone_numbers', setting: 'whatsapp_allowed_phone_numbers', label: 'Allowed phone numbers', kind: 'list', placeholder: '+15550100',
        hint: 'Who may talk to the agent, with the country code.' },
      baseUrl('whatsapp_api_base_url', 'the WhatsApp Cloud API'),
    ],
  },
};

/** One id a line, or separated by commas or spaces, without duplicates. */
export function parseList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean))];
}

const listOf = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

function initialValue(f: FieldSpec, s: PublicSettings): string {
  if (f.kind === 'secret') return '';
  if (f.kind === 'list') return listOf(s[f.setting]).join('\n');
  const v = s[f.setting];
  return v === null || v === undefined ? '' : String(v);
}

/** The config `channels/save` gets: typed tokens, and the other fields that changed. */
function changes(channel: RunnableChannel, fields: FieldSpec[], values: Record<string, string>, s: PublicSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = (values[f.key] ?? '').trim();
    if (f.kind === 'secret') {
      if (v) out[f.key] = v;
    } else if (f.kind === 'list') {
      const list = parseList(v);
      if (list.join('\n') !== listOf(s[f.setting]).join('\n')) out[f.key] = list;
    } else if (v !== initialValue(f, s)) {
      // An empty base URL keeps the current one; an empty id removes it.
      if (f.key === 'api_base_url' && !v) continue;
      out[f.key] = f.kind === 'id' && !v ? null : v;
    }
  }
  // This server runs WhatsApp through the Cloud API only (PocketPaw's default is personal mode).
  if (channel === 'whatsapp' && Object.keys(out).length && s.whatsapp_mode !== 'business') out.mode = 'business';
  return out;
}

function problemWith(fields: FieldSpec[], values: Record<string, string>): string | null {
  for (const f of fields) {
    const v = (values[f.key] ?? '').trim();
    if (f.prefix && v && !v.startsWith(f.prefix)) return `${f.label}: it starts with ${f.prefix}; check that you did not paste the other token.`;
  }
  return null;
}

export function CopyButton({ text, what }: { text: string; what: string }) {
  return (
    <button
      type="button"
      class="btn btn-small"
      aria-label={`Copy ${what}`}
      onClick={async () => toast((await copyText(text)) ? `${what[0]!.toUpperCase()}${what.slice(1)} copied.` : 'Could not copy: select it and copy by hand.')}
    >
      Copy
    </button>
  );
}

function Field({ id, f, value, saved, onInput }: { id: string; f: FieldSpec; value: string; saved: boolean; onInput(v: string): void }) {
  const help = `${id}-help`;
  const set = (e: Event) => onInput((e.currentTarget as HTMLInputElement | HTMLTextAreaElement).value);
  return (
    <div class="field">
      <label for={id}>
        {f.label}
        {f.kind === 'secret' && saved ? <span class="badge badge-ok ch-saved">saved</span> : null}
      </label>
      {f.kind === 'list' ? (
        <textarea id={id} rows={2} value={value} spellcheck={false} placeholder={f.placeholder} aria-describedby={help} onInput={set} />
      ) : f.kind === 'secret' ? (
        <input
          id={id}
          type="password"
          value={value}
          spellcheck={false}
          autocomplete="new-password"
          placeholder={saved ? 'Saved: leave empty to keep it' : f.placeholder}
          aria-describedby={help}
          onInput={set}
        />
      ) : (
        <input id={id} type="text" value={value} spellcheck={false} autocomplete="off" placeholder={f.placeholder} aria-describedby={help} onInput={set} />
      )}
      <p class="field-help" id={help}>
        {f.hint}
        {f.kind === 'list' ? ' Separate several with commas or new lines.' : ''}
      </p>
    </div>
  );
}

/** Meta calls this address: the owner pastes it into the app's webhook setup. */
function WhatsAppCallback() {
  const url = `${location.origin}/webhook/whatsapp`;
  return (
    <div class="field">
      <span class="ch-label" id="ch-whatsapp-callback">
        Callback URL for Meta
      </span>
      <div class="ch-copy-row">
        <code class="ch-code" aria-labelledby="ch-whatsapp-callback">{url}</code>
        <CopyButton text={url} what="the callback URL" />
      </div>
      <p class="field-help">Meta must reach it over HTTPS from the internet: use a tunnel or a public address in front of this server.</p>
    </div>
  );
}

/** A channel's settings. `onSaved` reloads status and settings; the form is then drawn afresh from them. */
export function ChannelForm({ channel, settings, onSaved }: { channel: RunnableChannel; settings: PublicSettings; onSaved(): Promise<void> }) {
  const spec = FORMS[channel];
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(spec.fields.map((f) => [f.key, initialValue(f, settings)])));
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const set = (key: string) => (v: string) => setValues((cur) => ({ ...cur, [key]: v }));
  const clearSecrets = () => setValues((cur) => {
    const next = { ...cur };
    for (const f of spec.fields) if (f.kind === 'secret') next[f.key] = '';
    return next;
  });

  // New settings from the server (after a save, a pairing, another tab): the fields they changed
  // follow; what the owner is typing elsewhere in the form stays.
  const shown = useRef(settings);
  useEffect(() => {
    const before = shown.current;
    shown.current = settings;
    if (before === settings) return;
    setValues((cur) => {
      const next = { ...cur };
      for (const f of spec.fields) if (initialValue(f, before) !== initialValue(f, settings)) next[f.key] = initialValue(f, settings);
      return next;
    });
  }, [settings]);
  const idOf = (f: FieldSpec) => `ch-${channel}-${f.key}`;
  const draw = (f: FieldSpec) => (
    <Field key={f.key} id={idOf(f)} f={f} value={values[f.key] ?? ''} saved={settings[`has_${f.setting}`] === true} onInput={set(f.key)} />
  );

  const save = async (e: Event) => {
    e.preventDefault();
    setNote(null);
    const problem = problemWith(spec.fields, values);
    if (problem) {
      setError(problem);
      return;
    }
    const config = changes(channel, spec.fields, values, settings);
    if (!Object.keys(config).length) {
      setError(null);
      setNote('Nothing changed.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await channelsApi.save(channel, config);
      // The typed tokens leave the page: the server has them, and shows only "saved" from now on.
      clearSecrets();
      setNote('Saved.');
      await onSaved();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const basic = spec.fields.filter((f) => !f.advanced);
  const advanced = spec.fields.filter((f) => f.advanced);
  let extra: ComponentChildren = null;
  if (channel === 'telegram') {
    const paired = async () => {
      clearSecrets(); // the pairing saved the token
      await onSaved();
    };
    extra = <TelegramPairing token={values.bot_token ?? ''} onPaired={paired} />;
  }
  if (channel === 'whatsapp') extra = <WhatsAppCallback />;

  return (
    <form class="ch-form" onSubmit={save} aria-label={`${spec.title} settings`} noValidate>
      {basic.map(draw)}
      {extra}
      {channel === 'whatsapp' && settings.whatsapp_mode === 'personal' ? (
        <p class="field-help">
          Personal mode (pairing a phone by QR) is not available on this server; saving switches WhatsApp to the Cloud API (business mode).
        </p>
      ) : null}
      <details class="ch-advanced">
        <summary>Advanced</summary>
        {advanced.map(draw)}
      </details>
      <FormFooter busy={busy} label={`Save ${spec.title} settings`} saved={note} error={error} />
    </form>
  );
}
