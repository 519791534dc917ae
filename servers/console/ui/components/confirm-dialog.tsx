/**
 * "Are you sure?" for destructive actions: the action runs only on the explicit confirm button, which says
 * what it does ("Delete 3 items"); Cancel is focused first, so a stray Enter deletes nothing.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { describeError } from '../errors.ts';
import { Modal } from './modal.tsx';

/** Props of {@link ConfirmDialog}. */
export interface ConfirmDialogProps {
  title: string;
  children: ComponentChildren;
  /** The confirm button's label, naming the action. */
  confirmLabel: string;
  /** Runs the action; the dialog closes when it resolves and shows the error when it rejects. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

/** A confirmation dialog for a destructive action. */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onClose }: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      onClose();
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  };
  return (
    <Modal title={title} onClose={onClose}>
      <div class="modal-body">{children}</div>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <div class="modal-actions">
        <button type="button" autofocus onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={() => void confirm()} disabled={busy} aria-busy={busy}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
