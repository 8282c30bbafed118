/** A settings form's save button, its "saved" note and its error, the same in every section. */
export function FormFooter({ busy, label, saved, error }: { busy: boolean; label: string; saved: string | null; error: string | null | undefined }) {
  return (
    <>
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : label}
        </button>
        <span class="save-state" role="status">
          {saved}
        </span>
      </div>
      {error ? (
        <p class="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}
