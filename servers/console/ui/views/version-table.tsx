/**
 * The bucket browser's "show versions" view of a folder page: sub-folders as links, then every version and
 * delete marker of every key, each key's newest first, with a download button per version. Deleting a
 * specific version is on the object's page (object-versions.tsx), behind its own confirmation.
 */
import { formatBytes, formatDate } from '../format.ts';
import { routeHash } from '../router.ts';
import type { KeyVersion } from '../s3/versions.ts';

/** Props of {@link VersionTable}. */
export interface VersionTableProps {
  bucket: string;
  prefix: string;
  folders: readonly string[];
  versions: readonly KeyVersion[];
  onDownload: (key: string, versionId: string) => void;
  loading: boolean;
}

/** The versions of one folder page. */
export function VersionTable({ bucket, prefix, folders, versions, onDownload, loading }: VersionTableProps) {
  const name = (full: string) => full.slice(prefix.length);
  return (
    <table class="list objects versions-list">
      <caption class="visually-hidden">Versions in {prefix || 'the top of the bucket'}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Version ID</th>
          <th scope="col" class="number">
            Size
          </th>
          <th scope="col">Last modified</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody aria-busy={loading}>
        {folders.map((folder) => (
          <tr key={folder} class="folder-row">
            <td>
              <a href={routeHash({ view: 'browse', bucket, prefix: folder })} class="folder-link">
                <span aria-hidden="true" class="glyph">
                  ▸
                </span>{' '}
                {name(folder)}
              </a>
            </td>
            <td class="muted">—</td>
            <td class="number muted">folder</td>
            <td class="muted">—</td>
            <td />
          </tr>
        ))}
        {versions.map((v, i) => (
          <tr key={`${v.key}\n${v.versionId}`} data-version-id={v.versionId} class={versions[i - 1]?.key === v.key ? 'older-version' : undefined}>
            <td>
              {/* Only the key's first row names it; the others are its older versions. */}
              {versions[i - 1]?.key === v.key ? <span class="visually-hidden">{name(v.key)}</span> : <a href={routeHash({ view: 'object', bucket, key: v.key })}>{name(v.key)}</a>}
            </td>
            <td class="mono">
              {v.versionId}
              {v.isLatest && <span class="badge">latest</span>}
              {v.deleteMarker && <span class="badge badge-marker">delete marker</span>}
            </td>
            <td class="number">{v.deleteMarker ? '—' : formatBytes(v.size)}</td>
            <td>{formatDate(v.lastModified)}</td>
            <td class="actions">
              {!v.deleteMarker && (
                <button type="button" class="quiet" aria-label={`Download ${name(v.key)} version ${v.versionId}`} onClick={() => onDownload(v.key, v.versionId)}>
                  Download
                </button>
              )}
            </td>
          </tr>
        ))}
        {!loading && folders.length === 0 && versions.length === 0 && (
          <tr>
            <td colSpan={5} class="empty">
              No versions here.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
