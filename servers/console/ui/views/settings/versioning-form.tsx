/**
 * Versioning (GetBucketVersioning, PutBucketVersioning): Enabled or Suspended. An unversioned bucket shows
 * "Unversioned" as its state, but the choice is not offered back once versioning was on — S3 has no request
 * that returns a bucket to unversioned (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html).
 */
import { useEffect, useState } from 'preact/hooks';
import { useConsole } from '../../console-context.ts';
import { useLoad } from '../../hooks.ts';
import { getVersioning, putVersioning, putVersioningCommand } from '../../s3/versions.ts';
import type { VersioningState } from '../../s3/versions.ts';
import { RequestPreview, useRequestPreview } from './request-preview.tsx';
import { useSaveState } from './save-state.ts';

const CHOICES: { value: VersioningState; label: string; help: string }[] = [
  { value: 'Unversioned', label: 'Unversioned', help: 'Only a bucket that never had versioning is unversioned: once enabled, versioning can be suspended but never removed.' },
  { value: 'Enabled', label: 'Enabled', help: 'Every overwrite and delete keeps the previous version.' },
  { value: 'Suspended', label: 'Suspended', help: 'New writes replace the "null" version; versions kept so far stay.' },
];

/** The versioning section of the settings page. */
export function VersioningForm({ bucket }: { bucket: string }) {
  const { client } = useConsole();
  const stored = useLoad((signal) => getVersioning(client, bucket, signal), [client, bucket]);
  const [choice, setChoice] = useState<VersioningState>('Unversioned');
  const save = useSaveState(stored.reload);
  useEffect(() => {
    if (stored.value) setChoice(stored.value);
  }, [stored.value]);

  const preview = useRequestPreview(
    () => (choice === 'Unversioned' ? { problem: 'choose Enabled or Suspended.' } : { command: putVersioningCommand(bucket, choice) }),
    [bucket, choice],
  );
  const submit = (e: Event) => {
    e.preventDefault();
    if (choice === 'Unversioned') return save.refuse('A bucket cannot be made unversioned: choose Enabled or Suspended.');
    void save.run(() => putVersioning(client, bucket, choice), `Versioning ${choice === 'Enabled' ? 'enabled' : 'suspended'}.`);
  };

  return (
    <section class="card settings-section" aria-labelledby="versioning-heading">
      <h2 id="versioning-heading">Versioning</h2>
      {stored.error && (
        <p class="form-error" role="alert">
          Could not read the versioning state: {stored.error}
        </p>
      )}
      <div class="settings-pair">
        <form onSubmit={submit} noValidate aria-label="Versioning">
          <fieldset class="choices">
            <legend>Versioning state {stored.value && <span class="muted">(now {stored.value})</span>}</legend>
            {CHOICES.map((c) => {
              // "Unversioned" is offered only while the bucket is unversioned: there is no way back to it.
              const disabled = c.value === 'Unversioned' && stored.value !== 'Unversioned';
              return (
                <div key={c.value} class="choice">
                  <input type="radio" id={`versioning-${c.value}`} name="versioning" value={c.value} checked={choice === c.value} disabled={disabled} aria-describedby={`versioning-${c.value}-help`} onChange={() => setChoice(c.value)} />
                  <label for={`versioning-${c.value}`}>{c.label}</label>
                  <p id={`versioning-${c.value}-help`} class="muted">
                    {c.help}
                  </p>
                </div>
              );
            })}
          </fieldset>
          <button type="submit" class="primary" disabled={save.busy || stored.loading || choice === stored.value}>
            Save versioning
          </button>
          {save.error && (
            <p class="form-error" role="alert">
              {save.error}
            </p>
          )}
        </form>
        <RequestPreview action="PutBucketVersioning" format="XML" preview={preview} />
      </div>
    </section>
  );
}
