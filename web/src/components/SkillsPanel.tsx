import { useState } from 'preact/hooks';
import { skillsApi, type SkillSummary } from '../api-tools';
import { app, chat } from '../state/stores';
import { runSkill } from '../state/turn';
import { closeSettings } from '../state/ui';
import { useStore } from '../store';
import { IconTrash } from './icons';
import { SkillsInstall } from './SkillsInstall';
import { useLoaded } from './useLoaded';
import './ToolPanels.css';
import './SkillsPanel.css';

const idOf = (name: string) => `skill-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;

function SkillRow({ s, onRemoved }: { s: SkillSummary; onRemoved(): Promise<void> }) {
  const [running, setRunning] = useState(false);
  const [args, setArgs] = useState('');
  const [error, setError] = useState<string | null>(null);
  const streaming = useStore(chat, (c) => c.streaming);
  const readOnly = useStore(chat, (c) => c.readOnly);
  const id = idOf(s.name);

  const run = (e: Event) => {
    e.preventDefault();
    setError(null);
    if (runSkill(s.name, args.trim())) closeSettings();
    else setError(streaming ? 'An answer is still coming in: wait for it, or stop it, then run the skill.' : readOnly ? 'This conversation is from another channel: open a dashboard chat to run a skill.' : 'Not connected to PocketPaw right now.');
  };

  const remove = () =>
    app.set({
      confirm: {
        title: `Remove the skill ${s.name}?`,
        body: 'Its folder is deleted from this machine. Conversations that used it stay as they are.',
        confirmLabel: 'Remove skill',
        danger: true,
        onConfirm: async () => {
          try {
            await skillsApi.remove(s.name);
            await onRemoved();
          } catch (err) {
            setError((err as Error).message);
          }
        },
      },
    });

  return (
    <li class="skill" data-skill={s.name} aria-labelledby={`${id}-name`}>
      <div class="skill-head">
        <div class="skill-title">
          <strong id={`${id}-name`}>
            <code>/{s.name}</code>
          </strong>
          {s.argument_hint ? <span class="skill-hint">{s.argument_hint}</span> : null}
        </div>
        <div class="skill-actions">
          {!running ? (
            <button type="button" class="btn btn-small" aria-label={`Run ${s.name}`} onClick={() => setRunning(true)}>
              Run
            </button>
          ) : null}
          <button type="button" class="icon-btn" aria-label={`Remove ${s.name}`} title="Remove" onClick={remove}>
            <IconTrash />
          </button>
        </div>
      </div>
      {s.description ? <p class="skill-desc">{s.description}</p> : null}
      {running ? (
        <form class="skill-run" aria-label={`Run ${s.name}`} onSubmit={run}>
          <div class="field">
            <label for={`${id}-args`}>Arguments{s.argument_hint ? null : <span class="muted"> (optional)</span>}</label>
            <input id={`${id}-args`} type="text" autocomplete="off" placeholder={s.argument_hint || 'Anything the skill should know'} value={args} onInput={(e) => setArgs((e.currentTarget as HTMLInputElement).value)} autoFocus />
          </div>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary btn-small" disabled={streaming}>
              Run in this chat
            </button>
            <button type="button" class="btn btn-ghost btn-small" onClick={() => setRunning(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {error ? (
        <p class="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </li>
  );
}

/** Settings › Skills: the installed skills (run, remove), and installing more. */
export function SkillsPanel() {
  const { data: skills, error, refresh } = useLoaded(skillsApi.list);

  return (
    <>
      <section class="settings-section skills" aria-labelledby="skills-title">
        <h3 id="skills-title">Installed skills</h3>
        <p class="section-note">
          Instructions the agent follows on request. Run one here, or type <code>/name</code> in the chat.
        </p>
        {error ? (
          <p class="field-error" role="alert">
            {error}
          </p>
        ) : skills === null ? (
          <p class="muted" role="status">
            Loading skills…
          </p>
        ) : skills.length === 0 ? (
          <p class="mcp-empty">No skills installed yet. Install one below.</p>
        ) : (
          <ul class="skill-list" aria-label="Installed skills">
            {skills.map((s) => (
              <SkillRow key={s.name} s={s} onRemoved={refresh} />
            ))}
          </ul>
        )}
      </section>
      <SkillsInstall onInstalled={refresh} />
    </>
  );
}
