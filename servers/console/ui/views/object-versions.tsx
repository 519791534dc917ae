/**
 * The versions of one object, on its details page when the bucket is versioned (or was: a suspended bucket
 * keeps its versions): newest first, delete markers marked, each version downloadable and deletable for good
 * behind a confirmation. Deleting a version is DeleteObject with its versionId, which removes exactly that
 * version (https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html); deleting a
 * delete marker brings the version below it back.
 */
import { useState } from 'preact/hooks';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { useConsole } from '../console-context.ts';
import { describeError } from '../errors.ts';
import { formatBytes, formatDate } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { download } from '../s3/download.ts';
import { deleteVersion, getVersioning, listVersions } from '../s3/versions.ts';
import type { ObjectVersion } from '../s3/versions.ts';

/** Props of {@link ObjectVersions}. */
export interface ObjectVersionsProps {
  bucket: string;
  objectKey: string;
  /** Bumped by the page when the object changed, so the list reloads. */
  version: number;
  /** Called after a version was deleted (the current object may have changed). */
  onDeleted: () => void;
}

/** A version's short name for buttons and the confirmation. */
const shortId = (v: ObjectVersion) => (v.versionId.length > 12 ? `${v.versionId.slice(0, 12)}…` : v.versionId);

/** The versions section; nothing for a bucket that was never versioned. */
export function ObjectVersions({ bucket, objectKey, version, onDeleted }: ObjectVersionsProps) {
  const { client, notify } = useConsole();
  const versions = useLoad(async (signal) => {
    // Keys that may read objects but not the bucket's versioning state see the page without this section.
    const state = await getVersioning(client, bucket, signal).catch((e: unknown) => (e instanceof Error && e.name === 'AccessDenied' ? 'Unversioned' : Promise.reject(e)));
    return state === 'Unversioned' ? undefined : listVersions(client, bucket, objectKey, signal);
  }, [client, bucket, objectKey, version]);
  const [deleting, setDeleting] = useState<ObjectVersion>();
  if (!versions.value && !versions.error) return null;

  return (
    <section aria-labelledby="versions-heading" class="card versions">
      <h2 id="versions-heading">Versions</h2>
      {versions.error && (
        <p class="form-error" role="alert">
          Could not list the versions: {versions.error}
        </p>
      )}
      <table class="list">
        <caption class="visually-hidden">Versions of {objectKey}, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Version ID</th>
            <th scope="col">Modified</th>
            <th scope="col" class="number">
              Size
            </th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody aria-busy={versions.loading}>
          {versions.value?.map((v) => (
            <tr key={v.versionId} data-version-id={v.versionId} data-delete-marker={v.deleteMarker ? 'true' : undefined}>
              <td class="mono">
                {v.versionId}
                {v.isLatest && <span class="badge">latest</span>}
                {v.deleteMarker && <span class="badge badge-marker">delete marker</span>}
              </td>
              <td>{formatDate(v.lastModified)}</td>
              <td class="number">{v.deleteMarker ? '—' : formatBytes(v.size)}</td>
              <td class="actions">
                {!v.deleteMarker && (
                  <button type="button" class="quiet" aria-label={`Download version ${v.versionId}`} onClick={() => void download(client, bucket, objectKey, v.versionId).catch((e: unknown) => notify(describeError(e), 'error'))}>
                    Download
                  </button>
                )}
                <button type="button" class="danger-quiet" aria-label={`Delete ${v.deleteMarker ? 'delete marker' : 'version'} ${v.versionId}`} onClick={() => setDeleting(v)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
          {versions.value?.length === 0 && (
            <tr>
              <td colSpan={4} class="empty">
                No versions of this key.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {deleting && (
        <ConfirmDialog
          title={`Delete ${deleting.deleteMarker ? 'delete marker' : 'version'} ${shortId(deleting)}?`}
          confirmLabel={deleting.deleteMarker ? 'Delete marker' : 'Delete version'}
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await deleteVersion(client, bucket, objectKey, deleting.versionId);
            notify(`Deleted ${deleting.deleteMarker ? 'delete marker' : 'version'} ${shortId(deleting)}.`);
            versions.reload();
            onDeleted();
          }}
        >
          <p>
            {deleting.deleteMarker
              ? 'Removing the delete marker makes the version below it the current object again.'
              : `This version (${formatBytes(deleting.size)}, ${formatDate(deleting.lastModified)}) is deleted for good; the other versions stay.`}
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
