/**
 * "New folder": S3 has no folders, only keys with `/` in them; an empty folder is shown by a zero-byte marker
 * object whose key ends in `/` (as the AWS console creates them). The folder's files, once uploaded, keep it
 * listed; the marker can then be deleted with them.
 */
import { useState } from 'preact/hooks';
import { Modal } from '../components/modal.tsx';
import { useConsole } from '../console-context.ts';
import { describeError } from '../errors.ts';
import { createFolder } from '../s3/objects.ts';
import { folderNameProblem } from '../validation.ts';

/** Props of {@link NewFolderDialog}. */
export interface NewFolderDialogProps {
  bucket: string;
  prefix: string;
  onClose: () => void;
  onCreated: (key: string) => void;
}

/** The new-folder dialog. */
export function NewFolderDialog({ bucket, prefix, onClose, onCreated }: NewFolderDialogProps) {
  const { client } = useConsole();
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const problem = folderNameProblem(name);
    if (problem) return setError(problem);
    setBusy(true);
    try {
      const key = await createFolder(client, bucket, prefix, name);
      onCreated(key);
      onClose();
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };
  return (
    <Modal title="New folder" onClose={onClose}>
      <form class="modal-body" onSubmit={(e) => void submit(e)} noValidate>
        <label for="folder-name">Folder name (in {prefix || 'the top of the bucket'})</label>
        <input id="folder-name" value={name} autofocus spellcheck={false} aria-invalid={error !== undefined} aria-describedby="folder-error" onInput={(e) => setName(e.currentTarget.value)} />
        <p id="folder-error" class="form-error" role={error ? 'alert' : undefined}>
          {error ?? ''}
        </p>
        <div class="modal-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            Create folder
          </button>
        </div>
      </form>
    </Modal>
  );
}
