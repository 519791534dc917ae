/**
 * The files a user picked — dropped on the page (files and whole folders) or chosen in a file or folder input —
 * each with its path relative to what was picked, which becomes the object key under the current folder.
 *
 * Dropped folders are walked with the File and Directory Entries API (`DataTransferItem.webkitGetAsEntry`,
 * https://developer.mozilla.org/en-US/docs/Web/API/DataTransferItem/webkitGetAsEntry), the one way a drop gives
 * a folder's contents. `readEntries` returns a directory in batches until an empty one.
 */

/** A picked file and its path (`photos/2024/a.jpg` for a file of a dropped folder `photos`). */
export interface PickedFile {
  path: string;
  file: File;
}

/** The most files one drop may bring: a guard against dropping a home directory by mistake. */
export const MAX_PICKED_FILES = 50_000;

const fileOf = (entry: FileSystemFileEntry) => new Promise<File>((resolve, reject) => entry.file(resolve, reject));
const batchOf = (reader: FileSystemDirectoryReader) => new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));

async function walk(entry: FileSystemEntry, out: PickedFile[]): Promise<void> {
  if (out.length >= MAX_PICKED_FILES) throw new RangeError(`more than ${MAX_PICKED_FILES} files: drop fewer at a time`);
  if (entry.isFile) {
    out.push({ path: entry.fullPath.replace(/^\//, ''), file: await fileOf(entry as FileSystemFileEntry) });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  for (let batch = await batchOf(reader); batch.length > 0; batch = await batchOf(reader)) {
    for (const child of batch) await walk(child, out);
  }
}

/**
 * The files of a drop, folders walked. Must be called in the `drop` handler itself: a DataTransfer's items
 * are readable only while the event is dispatched, so the entries are taken before the first await.
 */
export function filesFromDrop(data: DataTransfer): Promise<PickedFile[]> {
  const roots: (FileSystemEntry | File)[] = [];
  for (const item of Array.from(data.items)) {
    if (item.kind !== 'file') continue;
    // No entry (a browser without the API, or a synthetic drag): the plain file.
    const entry = item.webkitGetAsEntry?.() ?? null;
    const file = entry === null ? item.getAsFile() : null;
    if (entry !== null) roots.push(entry);
    else if (file !== null) roots.push(file);
  }
  return (async () => {
    const out: PickedFile[] = [];
    for (const root of roots) {
      if (root instanceof File) out.push({ path: root.name, file: root });
      else await walk(root, out);
    }
    return out;
  })();
}

/** The files of a file input; a folder input (`webkitdirectory`) gives each its path within the folder. */
export function filesFromInput(files: FileList | null): PickedFile[] {
  return Array.from(files ?? []).map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}
