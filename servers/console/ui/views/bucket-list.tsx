/**
 * The bucket list: every bucket of the signed-in owner with its creation date, a form to create one (the name
 * checked against S3's naming rules as it is typed) and a delete button per bucket, behind a confirmation.
 */
import { useState } from 'preact/hooks';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { useConsole } from '../console-context.ts';
import { describeError } from '../errors.ts';
import { formatDate } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { routeHash } from '../router.ts';
import { createBucket, deleteBucket, listBuckets } from '../s3/buckets.ts';
import { bucketNameProblem } from '../validation.ts';

/** Opens a bucket by name: for keys that may use a bucket but not list them all. */
function OpenBucketForm() {
  const [name, setName] = useState('');
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (name.trim()) location.hash = routeHash({ view: 'browse', bucket: name.trim(), prefix: '' });
      }}
    >
      <label for="open-bucket">Open a bucket by name</label>
      <input id="open-bucket" value={name} spellcheck={false} autocomplete="off" onInput={(e) => setName(e.currentTarget.value)} />
      <button type="submit">Open</button>
    </form>
  );
}

/** The bucket list page. */
export function BucketList() {
  const { client, notify } = useConsole();
  // Keys whose policy does not allow s3:ListAllMyBuckets still sign in (session.ts): for them the list is
  // unknown (null), not an error, and the page offers to open a bucket by name.
  const buckets = useLoad(() => listBuckets(client).catch((e: unknown) => (e instanceof Error && e.name === 'AccessDenied' ? null : Promise.reject(e))), [client]);
  const [name, setName] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string>();
  const [deleting, setDeleting] = useState<string>();
  const problem = bucketNameProblem(name);

  const create = async (e: Event) => {
    e.preventDefault();
    setTouched(true);
    if (problem) return;
    setBusy(true);
    setFormError(undefined);
    try {
      await createBucket(client, name);
      notify(`Bucket ${name} created.`);
      setName('');
      setTouched(false);
      buckets.reload();
    } catch (err) {
      setFormError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  const shownProblem = touched && name !== '' ? problem : undefined;
  return (
    <main id="main">
      <h1 tabIndex={-1}>Buckets</h1>
      <form class="inline-form" onSubmit={(e) => void create(e)} noValidate>
        <label for="new-bucket">New bucket name</label>
        <input
          id="new-bucket"
          value={name}
          spellcheck={false}
          autocomplete="off"
          aria-invalid={shownProblem !== undefined}
          aria-describedby="new-bucket-help"
          onInput={(e) => setName(e.currentTarget.value)}
          onBlur={() => setTouched(true)}
        />
        <button type="submit" class="primary" disabled={busy}>
          Create bucket
        </button>
        <p id="new-bucket-help" class={shownProblem || formError ? 'form-error' : 'muted'} role={formError ? 'alert' : undefined}>
          {formError ?? shownProblem ?? '3–63 characters: lower-case letters, digits, dots and hyphens.'}
        </p>
      </form>
      {buckets.value === null && (
        <>
          <p class="muted">
            These keys may not list buckets (s3:ListAllMyBuckets), but may still use buckets their policy allows.
          </p>
          <OpenBucketForm />
        </>
      )}
      {buckets.error && (
        <>
          <p class="form-error" role="alert">
            Could not list the buckets: {buckets.error}
          </p>
          <OpenBucketForm />
        </>
      )}
      <table class="list">
        <caption class="visually-hidden">Buckets</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody aria-busy={buckets.loading}>
          {buckets.value?.map((b) => (
            <tr key={b.name}>
              <td>
                <a href={routeHash({ view: 'browse', bucket: b.name, prefix: '' })}>{b.name}</a>
              </td>
              <td>{formatDate(b.created)}</td>
              <td class="actions">
                <button type="button" class="danger-quiet" aria-label={`Delete bucket ${b.name}`} onClick={() => setDeleting(b.name)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
          {buckets.value === null && (
            <tr>
              <td colSpan={3} class="empty">
                Not listed for these keys: open a bucket by name above.
              </td>
            </tr>
          )}
          {buckets.value?.length === 0 && (
            <tr>
              <td colSpan={3} class="empty">
                No buckets yet: create one above.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {deleting !== undefined && (
        <ConfirmDialog
          title={`Delete bucket ${deleting}?`}
          confirmLabel="Delete bucket"
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await deleteBucket(client, deleting);
            notify(`Bucket ${deleting} deleted.`);
            buckets.reload();
          }}
        >
          <p>The bucket must be empty. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </main>
  );
}
