import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import './Modal.css';

/**
 * A native modal <dialog>: the browser traps focus, makes the page behind it inert, closes it on
 * Escape and gives focus back to where it was. A click on the backdrop closes it too.
 */
export function Modal({
  onClose, class: cls, label, labelledBy, role, children,
}: {
  onClose(): void;
  class?: string;
  label?: string;
  labelledBy?: string;
  role?: 'dialog' | 'alertdialog';
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  // Layout effect: open (and focus inside) before the next key event, so typing right after a
  // shortcut lands in the dialog.
  useLayoutEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (!d.open) d.showModal();
    // Escape: the state changes at once (the native `close` event comes a task later, and a
    // shortcut pressed in between would see a dialog that is closed but still "open").
    const onCancel = (e: Event) => {
      e.preventDefault();
      closeRef.current();
    };
    const onCloseEvent = () => closeRef.current();
    d.addEventListener('cancel', onCancel);
    d.addEventListener('close', onCloseEvent);
    return () => {
      d.removeEventListener('cancel', onCancel);
      d.removeEventListener('close', onCloseEvent);
      if (d.open) d.close();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      class={`modal ${cls ?? ''}`}
      aria-label={label}
      aria-labelledby={labelledBy}
      role={role === 'alertdialog' ? 'alertdialog' : undefined}
      aria-modal="true"
      onMouseDown={(e) => {
        // Backdrop: the dialog element itself, outside its content box.
        const d = ref.current;
        if (d && e.target === d) {
          const r = d.getBoundingClientRect();
          const inside = e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom;
          if (!inside) closeRef.current();
        }
      }}
    >
      {children}
    </dialog>
  );
}
