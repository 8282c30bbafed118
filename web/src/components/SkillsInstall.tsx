import { useEffect, useRef, useState } from 'preact/hooks';
import { hitSource, skillsApi, type SkillHit, type SkillPreview } from '../api-tools';
import { plural } from './McpParts';

/** What an install would copy: each skill's name, description and files. */
function PreviewList({ skills }: { skills: SkillPreview[] }) {
  return (
    <ul class="skill-preview-list" aria-label="Skills in this source">
      {skills.map((s) => (
        <li key={s.dir ?? s.name} data-preview-skill={s.name}>
          <div class="skill-title">
            <strong>
              <code>/{s.name}</code>
            </strong>
            {s.argument_hint ? <span class="skill-hint">{s.argument_hint}</span> : null}
            {s.replaces ? <span class="badge badge-warn">Replaces the installed one</span> : null}
          </div>
          {s.description ? <p class="skill-desc">{s.description}</p> : null}
          {s.files?.length ? (
            <details class="skill-files">
              <summary>{plural(s.file_count ?? s.files.length, 'file')}</summary>
              <ul>
                {s.files.map((f) => (
                  <li key={f}>
                    <code>{f}</code>
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

/** Search results of skills.sh, each previewed (then installed) from its `owner/repo/skill`. */
function SkillSearch({ onPick }: { onPick(source: string): void }) {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<SkillHit[] | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const text = q.trim();
    if (!text) {
      setHits(null);
      setNote(null);
      return;
    }
    const ctl = new AbortController();
    const t = setTimeout(() => {
      setBusy(true);
      skillsApi.search(text, ctl.signal).then(
        (res) => {
          setHits(res.skills);
          setNote(res.error ? `Search is unavailable: ${res.error}` : null);
          setBusy(false);
        },
        (err: unknown) => {
          if ((err as Error).name === 'AbortError') return;
          setHits([]);
          setNote((err as Error).message);
          setBusy(false);
        },
      );
    }, 300);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [q]);

  return (
    <div class="skill-search">
      <div class="field">
        <label for="skill-search">Search skills.sh</label>
        <input id="skill-search" type="search" autocomplete="off" spellcheck={false} placeholder="pdf, react, testing…" value={q} onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)} />
      </div>
      <p class="muted small" role="status">
        {busy ? 'Searching…' : note ?? (hits === null ? '' : hits.length === 0 ? 'No skills found.' : plural(hits.length, 'result'))}
      </p>
      {hits?.length ? (
        <ul class="skill-hits" aria-label="Search results">
          {hits.map((h) => {
            const source = hitSource(h);
            return (
              <li key={source} class="skill-hit">
                <div class="skill-hit-text">
                  <strong>{h.name}</strong>
                  <span class="muted small">
                    <code>{source}</code>
                    {typeof h.installs === 'number' ? ` · ${h.installs.toLocaleString()} installs` : ''}
                  </span>
                  {h.description ? <span class="skill-desc">{h.description}</span> : null}
                </div>
                <button type="button" class="btn btn-small" aria-label={`Preview ${h.name}`} onClick={() => onPick(source)}>
                  Preview
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
}

/** Installing skills: a source, a preview of what it holds, then the install itself. */
export function SkillsInstall({ onInstalled }: { onInstalled(): Promise<void> }) {
  const [source, setSource] = useState('');
  const [preview, setPreview] = useState<{ source: string; skills: SkillPreview[] } | null>(null);
  const [busy, setBusy] = useState<'preview' | 'install' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const sourceRef = useRef<HTMLInputElement>(null);

  const runPreview = async (src: string) => {
    const s = src.trim();
    setBusy('preview');
    setError(null);
    setDone(null);
    setPreview(null);
    try {
      const res = await skillsApi.preview(s);
      setPreview({ source: s, skills: res.skills });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const install = async () => {
    if (!preview) return;
    setBusy('install');
    setError(null);
    try {
      const res = await skillsApi.install(preview.source);
      const names = res.installed.length ? res.installed : preview.skills.map((s) => s.name);
      setDone(`Installed ${names.join(', ')}.`);
      setPreview(null);
      setSource('');
      await onInstalled();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const pick = (src: string) => {
    setSource(src);
    sourceRef.current?.focus();
    void runPreview(src);
  };

  return (
    <section class="settings-section skills" aria-labelledby="skills-install-title">
      <h3 id="skills-install-title">Install skills</h3>
      <form
        class="skill-install"
        aria-labelledby="skills-install-title"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void runPreview(source);
        }}
      >
        <div class="field">
          <label for="skill-source">Source</label>
          <div class="key-row">
            <input
              id="skill-source"
              ref={sourceRef}
              type="text"
              autocomplete="off"
              spellcheck={false}
              placeholder="owner/repo/skill, a git or archive URL, or a folder"
              value={source}
              aria-describedby="skill-source-help"
              onInput={(e) => {
                setSource((e.currentTarget as HTMLInputElement).value);
                setPreview(null);
              }}
            />
            <button type="submit" class="btn" disabled={busy !== null || !source.trim()}>
              {busy === 'preview' ? 'Looking…' : 'Preview'}
            </button>
          </div>
          <p class="field-help" id="skill-source-help">
            A folder on this machine, a git URL, an archive URL (.zip, .tar.gz), or <code>owner/repo</code> on GitHub (<code>owner/repo/skill</code> for one skill). Nothing is installed until you confirm.
          </p>
        </div>
      </form>
      {preview ? (
        <div class="skill-preview" role="region" aria-label="Preview">
          <p class="skill-preview-head">
            {preview.skills.length === 0 ? 'This source holds no skills.' : `${preview.source} holds ${plural(preview.skills.length, 'skill')}:`}
          </p>
          <PreviewList skills={preview.skills} />
          <div class="form-actions">
            <button type="button" class="btn btn-primary" disabled={busy !== null || preview.skills.length === 0} onClick={() => void install()}>
              {busy === 'install' ? 'Installing…' : preview.skills.length === 1 ? `Install ${preview.skills[0]!.name}` : `Install ${preview.skills.length} skills`}
            </button>
            <button type="button" class="btn btn-ghost" disabled={busy !== null} onClick={() => setPreview(null)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      <p class="save-state" role="status">
        {done}
      </p>
      {error ? (
        <p class="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <SkillSearch onPick={pick} />
    </section>
  );
}
