/**
 * One object: its size, ETag, date, standard headers, checksums and user metadata (HeadObject with checksum
 * mode), its tags, editable in place (PutObjectTagging), the actions download, share, edit metadata and
 * delete, and, in a versioned bucket, its versions (object-versions.tsx).
 */
import { useEffect, useState } from 'preact/hooks';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { KeyValueEditor } from '../components/key-value-editor.tsx';
import type { Pair } from '../components/key-value-editor.tsx';
import { useConsole } from '../console-context.ts';
import { describeError } from '../errors.ts';
import { formatBytes, formatDate } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { breadcrumbs, parentPrefix, routeHash } from '../router.ts';
import { deleteKeys } from '../s3/delete.ts';
import { download } from '../s3/download.ts';
import { objectDetails, putTags } from '../s3/objects.ts';
import type { ObjectDetails } from '../s3/objects.ts';
import { MetadataDialog } from './metadata-dialog.tsx';
import { ObjectVersions } from './object-versions.tsx';
import { ShareDialog } from './share-dialog.tsx';

/** S3's most tags per object. */
const MAX_TAGS = 10;

/** Props of {@link ObjectDetailsPage}. */
export interface ObjectDetailsProps {
  bucket: string;
  objectKey: string;
}

/** The properties list of an object. */
function Properties({ d }: { d: ObjectDetails }) {
  const rows: [string, string][] = [
    ['Key', d.key],
    ['Size', `${formatBytes(d.size)} (${d.size.toLocaleString('en-US')} bytes)`],
    ['ETag', d.etag],
    ['Last modified', formatDate(d.lastModified)],
    ['Content-Type', d.contentType || '—'],
    ['Cache-Control', d.cacheControl || '—'],
    ['Content-Disposition', d.contentDisposition || '—'],
    ['Content-Encoding', d.contentEncoding || '—'],
    ['Content-Language', d.contentLanguage || '—'],
    ...d.checksums.map((c): [string, string] => [`Checksum ${c.algorithm}`, `${c.value}${d.checksumType ? ` (${d.checksumType.toLowerCase().replace('_', ' ')})` : ''}`]),
  ];
  return (
    <dl class="properties">
      {rows.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd class={name === 'Key' || name === 'ETag' || name.startsWith('Checksum') ? 'mono' : undefined}>{value}</dd>
        </div>
      ))}
      {d.checksums.length === 0 && (
        <div>
          <dt>Checksums</dt>
          <dd class="muted">none stored</dd>
        </div>
      )}
    </dl>
  );
}

/** The details page of one object. */
export function ObjectDetailsPage({ bucket, objectKey }: ObjectDetailsProps) {
  const { client, notify, storedVersion } = useConsole();
  const details = useLoad(() => objectDetails(client, bucket, objectKey), [client, bucket, objectKey, storedVersion]);
  const [tags, setTags] = useState<Pair[]>([]);
  const [tagError, setTagError] = useState<string>();
  const [savingTags, setSavingTags] = useState(false);
  const [dialog, setDialog] = useState<'share' | 'metadata' | 'delete'>();
  // Bumped whenever this page changes the object, so the versions list follows.
  const [changes, setChanges] = useState(0);
  const changed = () => {
    setChanges((c) => c + 1);
    details.reload();
  };
  const folder = parentPrefix(objectKey);
  const name = objectKey.slice(folder.length) || objectKey;

  useEffect(() => setTags((details.value?.tags ?? []).map((t) => ({ name: t.Key ?? '', value: t.Value ?? '' }))), [details.value]);

  const saveTags = async (e: Event) => {
    e.preventDefault();
    if (tags.some((t) => t.name.trim() === '')) return setTagError('Every tag needs a key.');
    setSavingTags(true);
    setTagError(undefined);
    try {
      await putTags(client, bucket, objectKey, tags.map((t) => ({ Key: t.name.trim(), Value: t.value })));
      notify('Tags saved.');
      changed();
    } catch (err) {
      setTagError(describeError(err));
    } finally {
      setSavingTags(false);
    }
  };

  const d = details.value;
  return (
    <main id="main">
      <nav aria-label="Breadcrumb" class="breadcrumbs">
        <ol>
          <li>
            <a href={routeHash({ view: 'buckets' })}>Buckets</a>
          </li>
          <li>
            <a href={routeHash({ view: 'browse', bucket, prefix: '' })}>{bucket}</a>
          </li>
          {breadcrumbs(folder).map((c) => (
            <li key={c.prefix}>
              <a href={routeHash({ view: 'browse', bucket, prefix: c.prefix })}>{c.name}</a>
            </li>
          ))}
          <li>
            <span aria-current="page">{name}</span>
          </li>
        </ol>
      </nav>
      <h1 tabIndex={-1} class="key">
        {name}
      </h1>
      <div class="toolbar" role="toolbar" aria-label="Object actions">
        <button type="button" class="primary" onClick={() => void download(client, bucket, objectKey).catch((e: unknown) => notify(describeError(e), 'error'))}>
          Download
        </button>
        <button type="button" onClick={() => setDialog('share')}>
          Share link
        </button>
        <button type="button" disabled={!d} onClick={() => setDialog('metadata')}>
          Edit metadata
        </button>
        <button type="button" class="danger-quiet" onClick={() => setDialog('delete')}>
          Delete
        </button>
      </div>
      {details.error && (
        <p class="form-error" role="alert">
          Could not read the object: {details.error}
        </p>
      )}
      {d && (
        <div class="details-grid">
          <section aria-labelledby="properties-heading" class="card">
            <h2 id="properties-heading">Properties</h2>
            <Properties d={d} />
          </section>
          <section aria-labelledby="metadata-heading" class="card">
            <h2 id="metadata-heading">User metadata</h2>
            {Object.keys(d.metadata).length === 0 ? (
              <p class="muted">None.</p>
            ) : (
              <dl class="properties">
                {Object.entries(d.metadata).map(([k, v]) => (
                  <div key={k}>
                    <dt class="mono">{k}</dt>
                    <dd>{v}</dd>
                  </div>
                ))}
              </dl>
            )}
          </section>
          <section aria-labelledby="tags-heading" class="card">
            <h2 id="tags-heading">Tags</h2>
            <form onSubmit={(e) => void saveTags(e)} noValidate>
              <KeyValueEditor pairs={tags} onChange={setTags} noun="Tag" max={MAX_TAGS} />
              {tagError && (
                <p class="form-error" role="alert">
                  {tagError}
                </p>
              )}
              <button type="submit" class="primary" disabled={savingTags}>
                Save tags
              </button>
            </form>
          </section>
        </div>
      )}
      <ObjectVersions bucket={bucket} objectKey={objectKey} version={storedVersion + changes} onDeleted={changed} />
      {dialog === 'share' && <ShareDialog bucket={bucket} objectKey={objectKey} onClose={() => setDialog(undefined)} />}
      {dialog === 'metadata' && d && <MetadataDialog details={d} onClose={() => setDialog(undefined)} onSaved={() => {
            notify('Metadata saved.');
            changed();
          }} />}
      {dialog === 'delete' && (
        <ConfirmDialog
          title={`Delete ${name}?`}
          confirmLabel="Delete object"
          onClose={() => setDialog(undefined)}
          onConfirm={async () => {
            const result = await deleteKeys(client, bucket, [objectKey]);
            if (result.failed.length > 0) throw new Error(result.failed[0]?.message);
            notify(`Deleted ${name}.`);
            location.hash = routeHash({ view: 'browse', bucket, prefix: folder });
          }}
        >
          <p>The object is deleted for good (in a versioned bucket a delete marker hides it and its versions stay).</p>
        </ConfirmDialog>
      )}
    </main>
  );
}
