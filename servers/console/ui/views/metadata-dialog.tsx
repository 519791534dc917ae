/**
 * "Edit metadata": the standard headers and the user metadata of an object, saved as a copy onto itself with
 * `MetadataDirective: REPLACE` (objects.ts `replaceMetadata`). The form starts from the current values, so
 * what the user leaves alone is written back unchanged.
 */
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { KeyValueEditor } from '../components/key-value-editor.tsx';
import type { Pair } from '../components/key-value-editor.tsx';
import { Modal } from '../components/modal.tsx';
import { useConsole } from '../console-context.ts';
import { describeError } from '../errors.ts';
import { replaceMetadata } from '../s3/objects.ts';
import type { ObjectDetails, StandardHeaders } from '../s3/objects.ts';
import { metadataProblem } from '../validation.ts';

/** The standard headers the form edits, with their labels. */
const HEADER_FIELDS: readonly { field: keyof StandardHeaders; label: string }[] = [
  { field: 'contentType', label: 'Content-Type' },
  { field: 'cacheControl', label: 'Cache-Control' },
  { field: 'contentDisposition', label: 'Content-Disposition' },
  { field: 'contentEncoding', label: 'Content-Encoding' },
  { field: 'contentLanguage', label: 'Content-Language' },
];

/** Props of {@link MetadataDialog}. */
export interface MetadataDialogProps {
  details: ObjectDetails;
  onClose: () => void;
  onSaved: () => void;
}

/** The metadata editor of one object. */
export function MetadataDialog({ details, onClose, onSaved }: MetadataDialogProps) {
  const { client } = useConsole();
  const [headers, setHeaders] = useState<StandardHeaders>({ ...details });
  const [pairs, setPairs] = useState<Pair[]>(Object.entries(details.metadata).map(([name, value]) => ({ name, value })));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const problem = metadataProblem(pairs);
    if (problem) return setError(problem);
    setBusy(true);
    setError(undefined);
    try {
      await replaceMetadata(client, details, headers, Object.fromEntries(pairs.map((p) => [p.name.trim().toLowerCase(), p.value])));
      onSaved();
      onClose();
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };
  return (
    <Modal title="Edit metadata" onClose={onClose} wide>
      <form class="modal-body" onSubmit={(e) => void submit(e)} noValidate>
        <div class="field-grid">
          {HEADER_FIELDS.map(({ field, label }) => (
            <Fragment key={field}>
              <label for={`meta-${field}`}>{label}</label>
              <input id={`meta-${field}`} spellcheck={false} value={headers[field]} onInput={(e) => setHeaders({ ...headers, [field]: e.currentTarget.value })} />
            </Fragment>
          ))}
        </div>
        <h3>User metadata (x-amz-meta-*)</h3>
        <KeyValueEditor pairs={pairs} onChange={setPairs} noun="Metadata" />
        <p class="muted">Saving rewrites the object with the new metadata (a copy onto itself); its content and tags stay.</p>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="modal-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            Save metadata
          </button>
        </div>
      </form>
    </Modal>
  );
}
