import { useState } from 'preact/hooks';
import { app } from '../state/stores';
import { dismissToast } from '../state/ui';
import { useStore } from '../store';
import { Modal } from './Modal';
import './Dialogs.css';

export function ConfirmDialog() {
  const req = useStore(app, (a) => a.confirm);
  const [busy, setBusy] = useState(false);
  if (!req) return null;
  const close = () => app.set({ confirm: null });
  return (
    <Modal onClose={close} class="modal-confirm" role="alertdialog" labelledBy="confirm-title">
      <div class="confirm">
        <h2 id="confirm-title">{req.title}</h2>
        <p id="confirm-body">{req.body}</p>
        <div class="confirm-actions">
          <button type="button" class="btn btn-ghost" onClick={close} autoFocus>
            Cancel
          </button>
          <button
            type="button"
            class={req.danger ? 'btn btn-danger' : 'btn btn-primary'}
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              try {
                await req.onConfirm();
              } finally {
                setBusy(false);
                close();
              }
            }}
          >
            {req.confirmLabel}
          </button>
        </div>
      </div>
    </Modal>
  );
}

export function Toasts() {
  const toasts = useStore(app, (a) => a.toasts);
  return (
    <div class="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} class={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
          <span>{t.text}</span>
          <button type="button" class="toast-close" aria-label="Dismiss" onClick={() => dismissToast(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
