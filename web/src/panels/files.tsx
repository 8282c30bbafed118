import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { filesApi, type Listing } from './api';
import { Empty, ErrorNote, Loading } from './common';

/** Breadcrumbs of a display path: `~/a/b` → `~`, `~/a`, `~/a/b`; `/x/y` → `/`, `/x`, `/x/y`. */
function crumbs(p: string): { label: string; path: string }[] {
  const root = p.startsWith('~') ? '~' : '/';
  const parts = p.slice(root === '~' ? 1 : 0).split('/').filter(Boolean);
  const out = [{ label: root === '~' ? 'Home' : '/', path: root }];
  let acc = root === '~' ? '~' : '';
  for (const part of parts) {
    acc = `${acc}/${part}`;
    out.push({ label: part, path: acc });
  }
  return out;
}

const join = (dir: string, name: string) => (dir === '/' ? `/${name}` : `${dir}/${name}`);

const HINTS: Record<string, string> = {
  'Access denied: path outside allowed directory': 'The agent may only use files inside its allowed folder. Go back to the start folder.',
  'Path does not exist': 'It may have been moved or deleted. Go up a level.',
  'Permission denied': 'PocketPaw’s user cannot read this folder.',
};

/** The file browser (spec §3.16): folders inside the file jail, with breadcrumbs. */
export default function FilesPanel() {
  const [start, setStart] = useState<string | null>(null);
  const [path, setPath] = useState<string | null>(null);
  const [listing, setListing] = useState<Listing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  // Start where the agent may look: the file jail (home when it is not set).
  useEffect(() => {
    api.getSettings().then(
      (s) => {
        const jail = typeof s.file_jail_path === 'string' && s.file_jail_path.trim() ? s.file_jail_path.trim() : '~';
        setStart(jail);
        setPath(jail);
      },
      () => {
        setStart('~');
        setPath('~');
      },
    );
  }, []);

  useEffect(() => {
    if (path === null) return;
    let live = true;
    setListing(null);
    filesApi.browse(path).then(
      (l) => {
        if (!live) return;
        setListing(l);
        setError(null);
      },
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
    };
  }, [path, reload]);

  if (error) return <ErrorNote what="Could not list the folder" message={error} retry={() => setReload((n) => n + 1)} />;
  if (path === null || listing === null) return <Loading what="the folder" />;

  const here = listing.error ? path : listing.path;
  const trail = crumbs(here);
  return (
    <section aria-labelledby="files-where">
      <h2 id="files-where" class="sr-only">
        Folder {here}
      </h2>
      <nav aria-label="Folder path">
        <ol class="pn-crumbs">
          {trail.map((c, i) => (
            <li key={c.path}>
              {i === trail.length - 1 ? (
                <span aria-current="location">{c.label}</span>
              ) : (
                <button type="button" onClick={() => setPath(c.path)}>
                  {c.label}
                </button>
              )}
            </li>
          ))}
        </ol>
      </nav>
      {listing.error ? (
        <div class="pn-error" role="alert">
          <p>
            {listing.error}. {HINTS[listing.error] ?? ''}
          </p>
          <button type="button" class="btn btn-small" onClick={() => setPath(start ?? '~')}>
            Go to the start folder
          </button>
        </div>
      ) : listing.files.length === 0 ? (
        <Empty>
          <p>This folder is empty (hidden files are not shown).</p>
        </Empty>
      ) : (
        <>
          <ul class="pn-files" aria-label={`Contents of ${here}`}>
            {listing.files.map((f) => (
              <li key={f.name} data-name={f.name}>
                <span aria-hidden="true">{f.isDir ? '📁' : '📄'}</span>
                {f.isDir ? (
                  <button type="button" class="pn-file-name" onClick={() => setPath(join(here, f.name))} aria-label={`Open folder ${f.name}`}>
                    {f.name}
                  </button>
                ) : (
                  <span class="pn-file-name">{f.name}</span>
                )}
                <span class="pn-file-size">{f.isDir ? 'folder' : f.size}</span>
              </li>
            ))}
          </ul>
          {listing.files.length >= 50 ? <p class="field-help">Showing the first 50 entries (folders first).</p> : null}
        </>
      )}
    </section>
  );
}
