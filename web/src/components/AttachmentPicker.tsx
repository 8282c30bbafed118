import { useEffect, useRef } from 'preact/hooks';
import { addFiles, attachments, formatSize, removeFile, setDragging, type PendingFile } from '../state/attachments';
import { toast } from '../state/ui';
import { useStore } from '../store';
import './AttachmentPicker.css';

export const IconPaperclip = () => (
  <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
    <path d="m21.4 11.1-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5" />
  </svg>
);

export const IconFile = () => (
  <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
    <path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z" />
    <path d="M14 3v5h5" />
  </svg>
);

function add(files: Iterable<File>): void {
  const refused = addFiles(files);
  if (refused) toast(refused, 'error');
}

/** The paperclip: opens the file picker (several files at once). */
export function AttachButton({ disabled }: { disabled?: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        class="attach-btn"
        aria-label="Attach files"
        title="Attach files (or drop them here, or paste an image)"
        disabled={disabled}
        onClick={() => input.current?.click()}
      >
        <IconPaperclip />
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        tabIndex={-1}
        aria-hidden="true"
        data-testid="attach-input"
        onChange={(e) => {
          const el = e.currentTarget;
          if (el.files) add(el.files);
          el.value = ''; // the same file can be picked again
        }}
      />
    </>
  );
}

function Chip({ f }: { f: PendingFile }) {
  const pct = Math.round(f.progress * 100);
  return (
    <li class={`attach-chip${f.status === 'error' ? ' attach-chip-error' : ''}`} data-status={f.status}>
      {f.preview ? <img class="attach-thumb" src={f.preview} alt="" /> : <span class="attach-thumb attach-thumb-file"><IconFile /></span>}
      <span class="attach-meta">
        <span class="attach-name" title={f.name}>{f.name}</span>
        {f.status === 'uploading' ? (
          <span class="attach-sub">
            <progress class="attach-progress" max={100} value={pct} aria-label={`Uploading ${f.name}`} />
            <span class="attach-pct">{pct}%</span>
          </span>
        ) : f.status === 'error' ? (
          <span class="attach-sub attach-error" role="alert">{f.error}</span>
        ) : (
          <span class="attach-sub">{formatSize(f.info?.size ?? f.size)}</span>
        )}
      </span>
      <button type="button" class="attach-remove" aria-label={`Remove ${f.name}`} title="Remove" onClick={() => removeFile(f.key)}>
        <svg width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true" focusable="false">
          <path d="M6 6l12 12M18 6 6 18" />
        </svg>
      </button>
    </li>
  );
}

/**
 * The composer's files: chips with name, size or upload progress, a thumbnail for images and a
 * remove button; and, while mounted, files dropped anywhere on the page or images pasted into
 * the message box are added too.
 */
export function AttachmentPicker() {
  const files = useStore(attachments, (s) => s.files);
  const dragging = useStore(attachments, (s) => s.dragging);

  useEffect(() => {
    const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      setDragging(true);
    };
    const leave = (e: DragEvent) => {
      // Left the window (no element to go to).
      if (!e.relatedTarget) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      setDragging(false);
      if (e.dataTransfer?.files.length) add(e.dataTransfer.files);
    };
    const paste = (e: ClipboardEvent) => {
      const target = e.target as HTMLElement | null;
      // Only into the message box (or nowhere in particular), never into another field or dialog.
      if (target && target.id !== 'composer-input' && (target.closest('input, textarea, [contenteditable="true"]') || target.closest('dialog'))) return;
      const pasted = Array.from(e.clipboardData?.files ?? []);
      if (!pasted.length) return;
      e.preventDefault();
      add(pasted);
    };
    document.addEventListener('dragover', over);
    document.addEventListener('dragleave', leave);
    document.addEventListener('drop', drop);
    document.addEventListener('paste', paste);
    return () => {
      document.removeEventListener('dragover', over);
      document.removeEventListener('dragleave', leave);
      document.removeEventListener('drop', drop);
      document.removeEventListener('paste', paste);
      setDragging(false);
    };
  }, []);

  return (
    <>
      {files.length ? (
        <ul class="attach-chips" aria-label="Attached files">
          {files.map((f) => (
            <Chip key={f.key} f={f} />
          ))}
        </ul>
      ) : null}
      {dragging ? (
        <div class="drop-overlay" aria-hidden="true">
          <div class="drop-overlay-box">
            <IconPaperclip />
            <span>Drop files to attach them</span>
          </div>
        </div>
      ) : null}
    </>
  );
}
