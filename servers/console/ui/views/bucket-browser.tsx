/**
 * A bucket browsed like folders: ListObjectsV2 with delimiter `/` under the current prefix, a page at a time
 * (continuation tokens, with a stack of the tokens seen for "Previous"), a prefix search within the folder,
 * sorting of the page, uploads of files and folders (buttons and drag and drop), new folders, and deletion of
 * the selected objects and folders behind a confirmation. "Show versions" lists every version and delete marker
 * of the folder instead (ListObjectVersions), each version downloadable.
 *
 * S3 lists keys in byte order only, so sorting by size or date orders the page shown, not the whole folder;
 * the sort control says so.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { useConsole } from '../console-context.ts';
import { describeError } from '../errors.ts';
import { useLoad } from '../hooks.ts';
import { breadcrumbs, routeHash } from '../router.ts';
import { deleteSelection } from '../s3/delete.ts';
import { download } from '../s3/download.ts';
import { listFolder } from '../s3/objects.ts';
import { listFolderVersions } from '../s3/versions.ts';
import { SORT_ORDERS, sortObjects } from '../sort-objects.ts';
import type { SortOrder } from '../sort-objects.ts';
import { filesFromInput } from '../upload/picked-files.ts';
import type { PickedFile } from '../upload/picked-files.ts';
import { DropZone } from './drop-zone.tsx';
import { NewFolderDialog } from './new-folder-dialog.tsx';
import { ObjectTable } from './object-table.tsx';
import { ShareDialog } from './share-dialog.tsx';
import { VersionTable } from './version-table.tsx';

/** Rows per page. */
const PAGE_SIZE = 100;

/** Props of {@link BucketBrowser}. */
export interface BucketBrowserProps {
  bucket: string;
  prefix: string;
}

/** The bucket browser page. */
export function BucketBrowser({ bucket, prefix }: BucketBrowserProps) {
  const { client, notify, uploads, storedVersion } = useConsole();
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<SortOrder>('name-asc');
  const [showVersions, setShowVersions] = useState(false);
  // tokens[i] is the continuation token of page i (undefined for the first page).
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [dialog, setDialog] = useState<{ kind: 'delete' } | { kind: 'share'; key: string } | { kind: 'new-folder' }>();
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  // `webkitdirectory` (choose a folder, each file with its relative path) has no JSX attribute in Preact's types.
  useEffect(() => {
    if (folderInput.current) folderInput.current.webkitdirectory = true;
  }, []);
  // A new search or view starts at the first page with nothing selected (a new folder is a new component: app.tsx).
  useEffect(() => {
    setTokens([undefined]);
    setSelected(new Set());
  }, [query, showVersions]);
  // The search runs a moment after typing stops, not on every key.
  useEffect(() => {
    const timer = setTimeout(() => setQuery(search), 250);
    return () => clearTimeout(timer);
  }, [search]);

  const token = tokens.at(-1);
  // One of the two listings runs, the other answers nothing without a request.
  const page = useLoad(
    async (signal) => (showVersions ? undefined : listFolder(client, { bucket, prefix, search: query, token, pageSize: PAGE_SIZE }, signal)),
    [client, bucket, prefix, query, token, storedVersion, showVersions],
  );
  const versionPage = useLoad(
    async (signal) => (showVersions ? listFolderVersions(client, { bucket, prefix, search: query, token, pageSize: PAGE_SIZE }, signal) : undefined),
    [client, bucket, prefix, query, token, storedVersion, showVersions],
  );
  const nextToken = showVersions ? versionPage.value?.nextToken : page.value?.nextToken;
  const listError = showVersions ? versionPage.error : page.error;

  const upload = (files: PickedFile[]) => {
    uploads.add(files.map((f) => ({ bucket, key: prefix + f.path, file: f.file })));
    notify(`Uploading ${files.length === 1 ? files[0]?.path : `${files.length} files`} to ${bucket}/${prefix}.`);
  };
  /** Uploads what a file or folder input holds, then empties it so the same choice can be made again. */
  const pick = (input: HTMLInputElement) => {
    const files = filesFromInput(input.files);
    input.value = '';
    if (files.length > 0) upload(files);
  };
  const select = (names: readonly string[], on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      for (const n of names) if (on) next.add(n);
      else next.delete(n);
      return next;
    });
  const selectedFolders = [...selected].filter((n) => n.endsWith('/') && page.value?.folders.includes(n));
  const selectedKeys = [...selected].filter((n) => !selectedFolders.includes(n));

  return (
    <main id="main">
      <nav aria-label="Breadcrumb" class="breadcrumbs">
        <ol>
          <li>
            <a href={routeHash({ view: 'buckets' })}>Buckets</a>
          </li>
          <li>
            <a href={routeHash({ view: 'browse', bucket, prefix: '' })} aria-current={prefix === '' ? 'page' : undefined}>
              {bucket}
            </a>
          </li>
          {breadcrumbs(prefix).map((c) => (
            <li key={c.prefix}>
              <a href={routeHash({ view: 'browse', bucket, prefix: c.prefix })} aria-current={c.prefix === prefix ? 'page' : undefined}>
                {c.name}
              </a>
            </li>
          ))}
        </ol>
      </nav>
      <h1 tabIndex={-1}>{prefix === '' ? bucket : breadcrumbs(prefix).at(-1)?.name}</h1>
      <div class="toolbar" role="toolbar" aria-label="Folder actions">
        <button type="button" class="primary" onClick={() => fileInput.current?.click()}>
          Upload files
        </button>
        <button type="button" onClick={() => folderInput.current?.click()}>
          Upload folder
        </button>
        <button type="button" onClick={() => setDialog({ kind: 'new-folder' })}>
          New folder
        </button>
        <button type="button" class="danger-quiet" disabled={selected.size === 0 || showVersions} onClick={() => setDialog({ kind: 'delete' })}>
          Delete selected{selected.size > 0 ? ` (${selected.size})` : ''}
        </button>
        <a class="button-link" href={routeHash({ view: 'settings', bucket })}>
          Bucket settings
        </a>
        <input ref={fileInput} type="file" multiple hidden aria-label="Files to upload" onChange={(e) => pick(e.currentTarget)} />
        <input ref={folderInput} type="file" multiple hidden aria-label="Folder to upload" onChange={(e) => pick(e.currentTarget)} />
      </div>
      <div class="filters">
        <label for="search">Filter by name prefix</label>
        <input id="search" type="search" value={search} spellcheck={false} onInput={(e) => setSearch(e.currentTarget.value)} />
        <label for="sort">Sort this page by</label>
        <select id="sort" value={sort} disabled={showVersions} onChange={(e) => setSort(e.currentTarget.value as SortOrder)}>
          {SORT_ORDERS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        <label class="check-label">
          <input type="checkbox" checked={showVersions} onChange={(e) => setShowVersions(e.currentTarget.checked)} /> Show versions
        </label>
      </div>
      {listError && (
        <p class="form-error" role="alert">
          Could not list this folder: {listError}
        </p>
      )}
      <p class="muted drop-hint">Drop files or folders on the list to upload them to this folder.</p>
      <DropZone target={`${bucket}/${prefix}`} onFiles={upload} onError={(m) => notify(m, 'error')}>
        {showVersions ? (
          <VersionTable
            bucket={bucket}
            prefix={prefix}
            folders={versionPage.value?.folders ?? []}
            versions={versionPage.value?.versions ?? []}
            onDownload={(key, versionId) => void download(client, bucket, key, versionId).catch((e: unknown) => notify(describeError(e), 'error'))}
            loading={versionPage.loading}
          />
        ) : (
          <ObjectTable
            bucket={bucket}
            prefix={prefix}
            folders={sort === 'name-desc' ? [...(page.value?.folders ?? [])].reverse() : (page.value?.folders ?? [])}
            objects={sortObjects(page.value?.objects ?? [], sort)}
            selected={selected}
            onSelect={select}
            onDownload={(key) => void download(client, bucket, key).catch((e: unknown) => notify(describeError(e), 'error'))}
            onShare={(key) => setDialog({ kind: 'share', key })}
            loading={page.loading}
          />
        )}
      </DropZone>
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={tokens.length <= 1} onClick={() => setTokens((t) => t.slice(0, -1))}>
          Previous page
        </button>
        <span>Page {tokens.length}</span>
        <button type="button" disabled={!nextToken} onClick={() => nextToken && setTokens((t) => [...t, nextToken])}>
          Next page
        </button>
      </nav>
      {dialog?.kind === 'share' && <ShareDialog bucket={bucket} objectKey={dialog.key} onClose={() => setDialog(undefined)} />}
      {dialog?.kind === 'new-folder' && (
        <NewFolderDialog bucket={bucket} prefix={prefix} onClose={() => setDialog(undefined)} onCreated={(key) => {
            notify(`Folder ${key} created.`);
            page.reload();
            versionPage.reload();
          }} />
      )}
      {dialog?.kind === 'delete' && (
        <ConfirmDialog
          title={`Delete ${selected.size} item${selected.size === 1 ? '' : 's'}?`}
          confirmLabel={`Delete ${selected.size} item${selected.size === 1 ? '' : 's'}`}
          onClose={() => setDialog(undefined)}
          onConfirm={async () => {
            const result = await deleteSelection(client, bucket, { keys: selectedKeys, folders: selectedFolders });
            setSelected(new Set());
            page.reload();
            if (result.failed.length > 0) notify(`${result.failed.length} could not be deleted: ${result.failed[0]?.key}: ${result.failed[0]?.message}`, 'error');
            else notify(`Deleted ${result.deleted} object${result.deleted === 1 ? '' : 's'}.`);
          }}
        >
          <p>These are deleted for good{selectedFolders.length > 0 ? ', folders with everything in them' : ''}:</p>
          <ul class="delete-list">
            {[...selected].slice(0, 10).map((n) => (
              <li key={n}>{n.slice(prefix.length)}</li>
            ))}
            {selected.size > 10 && <li>… and {selected.size - 10} more</li>}
          </ul>
        </ConfirmDialog>
      )}
    </main>
  );
}
