/**
 * One page of a folder as a table: sub-folders first (links into them), then objects (links to their
 * details) with size and date, a checkbox per row for deleting several at once, and download and share
 * buttons. Every control is a native link, button or checkbox, so Tab, Enter and Space work as everywhere.
 */
import { formatBytes, formatDate } from '../format.ts';
import { routeHash } from '../router.ts';
import type { ObjectEntry } from '../s3/objects.ts';

/** Props of {@link ObjectTable}. */
export interface ObjectTableProps {
  bucket: string;
  prefix: string;
  folders: readonly string[];
  objects: readonly ObjectEntry[];
  /** Selected keys and folder prefixes. */
  selected: ReadonlySet<string>;
  onSelect: (names: readonly string[], on: boolean) => void;
  onDownload: (key: string) => void;
  onShare: (key: string) => void;
  loading: boolean;
}

/** The table of one folder page. */
export function ObjectTable({ bucket, prefix, folders, objects, selected, onSelect, onDownload, onShare, loading }: ObjectTableProps) {
  const all = [...folders, ...objects.map((o) => o.key)];
  const allSelected = all.length > 0 && all.every((n) => selected.has(n));
  const name = (full: string) => full.slice(prefix.length);
  return (
    <table class="list objects">
      <caption class="visually-hidden">Contents of {prefix || 'the top of the bucket'}</caption>
      <thead>
        <tr>
          <th scope="col" class="check">
            <input type="checkbox" aria-label="Select all on this page" checked={allSelected} disabled={all.length === 0} onChange={(e) => onSelect(all, e.currentTarget.checked)} />
          </th>
          <th scope="col">Name</th>
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
            <td class="check">
              <input type="checkbox" aria-label={`Select folder ${name(folder)}`} checked={selected.has(folder)} onChange={(e) => onSelect([folder], e.currentTarget.checked)} />
            </td>
            <td>
              <a href={routeHash({ view: 'browse', bucket, prefix: folder })} class="folder-link">
                <span aria-hidden="true" class="glyph">
                  ▸
                </span>{' '}
                {name(folder)}
              </a>
            </td>
            <td class="number muted">folder</td>
            <td class="muted">—</td>
            <td />
          </tr>
        ))}
        {objects.map((o) => (
          <tr key={o.key}>
            <td class="check">
              <input type="checkbox" aria-label={`Select ${name(o.key)}`} checked={selected.has(o.key)} onChange={(e) => onSelect([o.key], e.currentTarget.checked)} />
            </td>
            <td>
              <a href={routeHash({ view: 'object', bucket, key: o.key })}>{name(o.key)}</a>
            </td>
            <td class="number">{formatBytes(o.size)}</td>
            <td>{formatDate(o.lastModified)}</td>
            <td class="actions">
              <button type="button" class="quiet" aria-label={`Download ${name(o.key)}`} onClick={() => onDownload(o.key)}>
                Download
              </button>
              <button type="button" class="quiet" aria-label={`Share ${name(o.key)}`} onClick={() => onShare(o.key)}>
                Share
              </button>
            </td>
          </tr>
        ))}
        {!loading && all.length === 0 && (
          <tr>
            <td colSpan={5} class="empty">
              Nothing here yet. Drop files or folders on this page, or use the upload buttons.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
