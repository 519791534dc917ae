/**
 * The bucket policy (PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy): a JSON editor checked for syntax as
 * it is typed, a "public read" template, and the server's verdict on save — MalformedPolicy with its reason,
 * shown in the form with the document left as typed.
 */
import { useEffect, useState } from 'preact/hooks';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { useConsole } from '../../console-context.ts';
import { useLoad } from '../../hooks.ts';
import { deletePolicy, getPolicy, jsonProblem, publicReadPolicy, putPolicy, putPolicyCommand } from '../../s3/bucket-policy.ts';
import { RequestPreview, useRequestPreview } from './request-preview.tsx';
import { useSaveState } from './save-state.ts';

/** The policy section of the settings page. */
export function PolicyForm({ bucket }: { bucket: string }) {
  const { client } = useConsole();
  const stored = useLoad(() => getPolicy(client, bucket), [client, bucket]);
  const [text, setText] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const save = useSaveState(stored.reload);
  useEffect(() => {
    if (stored.value !== undefined) setText(stored.value);
  }, [stored.value]);

  const syntax = jsonProblem(text);
  const preview = useRequestPreview(() => (syntax ? { problem: syntax } : { command: putPolicyCommand(bucket, text) }), [bucket, text]);
  const submit = (e: Event) => {
    e.preventDefault();
    if (syntax) return save.refuse(syntax);
    void save.run(() => putPolicy(client, bucket, text), 'Bucket policy saved.');
  };
  const shownProblem = text.trim() !== '' ? syntax : undefined;

  return (
    <section class="card settings-section" aria-labelledby="policy-heading">
      <h2 id="policy-heading">Bucket policy</h2>
      <p class="muted">Who may do what with this bucket and its objects, as an IAM policy document in JSON.</p>
      {stored.error && (
        <p class="form-error" role="alert">
          Could not read the policy: {stored.error}
        </p>
      )}
      <div class="settings-pair">
        <form onSubmit={submit} noValidate aria-label="Bucket policy">
          <label for="policy-text">Policy document</label>
          <textarea
            id="policy-text"
            class="mono"
            rows={14}
            spellcheck={false}
            value={text}
            aria-invalid={shownProblem !== undefined}
            aria-describedby="policy-syntax"
            onInput={(e) => setText(e.currentTarget.value)}
          />
          <p id="policy-syntax" class={shownProblem ? 'form-error' : 'muted'}>
            {shownProblem ?? (stored.value === '' ? 'This bucket has no policy.' : 'Valid JSON; the server checks the rest when you save.')}
          </p>
          <div class="toolbar">
            <button type="button" onClick={() => setText(publicReadPolicy(bucket))}>
              Use the public read template
            </button>
            <button type="submit" class="primary" disabled={save.busy || stored.loading}>
              Save policy
            </button>
            <button type="button" class="danger-quiet" disabled={save.busy || !stored.value} onClick={() => setConfirmDelete(true)}>
              Delete policy
            </button>
          </div>
          {save.error && (
            <p class="form-error" role="alert">
              {save.error}
            </p>
          )}
        </form>
        <RequestPreview action="PutBucketPolicy" format="JSON" preview={preview} />
      </div>
      {confirmDelete && (
        <ConfirmDialog title="Delete the bucket policy?" confirmLabel="Delete policy" onClose={() => setConfirmDelete(false)} onConfirm={() => save.run(() => deletePolicy(client, bucket), 'Bucket policy deleted.')}>
          <p>Access then follows the users' own policies only.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
