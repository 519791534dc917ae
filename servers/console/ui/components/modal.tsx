/**
 * A modal dialog on the native `<dialog>` element: `showModal()` makes the page behind it inert and keeps Tab
 * inside, Escape closes it (its `cancel` event), and focus returns to where it was when the dialog closes —
 * what the WAI-ARIA Authoring Practices ask of a modal dialog (https://www.w3.org/WAI/ARIA/apg/patterns/dialog-modal/).
 * Render it to open it; stop rendering it (in `onClose`) to close it.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';

/** Props of {@link Modal}. */
export interface ModalProps {
  title: string;
  /** Called on Escape and on the close button; the parent stops rendering the dialog. */
  onClose: () => void;
  children: ComponentChildren;
  /** A wider dialog (forms with tables). */
  wide?: boolean;
}

/** A modal dialog with a heading and a close button. */
export function Modal({ title, onClose, children, wide }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog?.showModal();
    return () => {
      dialog?.close();
      if (!opener) return;
      opener.focus();
      // The page behind a modal dialog is inert until the browser next updates its style; a focus() that came
      // too early is tried again then.
      if (document.activeElement !== opener) requestAnimationFrame(() => opener.isConnected && opener.focus());
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class={wide ? 'modal modal-wide' : 'modal'}
      aria-labelledby={headingId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <div class="modal-head">
        <h2 id={headingId}>{title}</h2>
        <button type="button" class="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      {children}
    </dialog>
  );
}
