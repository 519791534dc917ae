/**
 * One page of ListMultipartUploads over uploads already sorted by key (UTF-8 bytes) then initiation, shared by
 * the memory adapter and the multipart fallback (AWS ListMultipartUploads: prefix, delimiter, key-marker,
 * upload-id-marker, max-uploads). Without an upload-id-marker only keys after the key-marker are listed; with
 * one, the later uploads of the key-marker itself are listed too. A common prefix at or before the key-marker
 * is not listed again, which makes a marker pointing at a common prefix resume past it.
 */
import { compareKeys } from './keys.ts';
import type { ListUploadsOptions, ListUploadsResult, MultipartUpload } from './types.ts';

/** Pages `sorted` (by key, then initiation) per `options`. */
export function pageUploads(sorted: readonly MultipartUpload[], options: ListUploadsOptions): ListUploadsResult {
  const prefix = options.prefix ?? '';
  const limit = options.limit ?? 1000;
  const { delimiter, keyMarker, uploadIdMarker } = options;
  let start = 0;
  if (keyMarker !== undefined) {
    const markerAt = uploadIdMarker !== undefined ? sorted.findIndex((u) => u.uploadId === uploadIdMarker && u.key === keyMarker) : -1;
    start = sorted.findIndex((u, i) => compareKeys(u.key, keyMarker) > 0 || (markerAt >= 0 && u.key === keyMarker && i > markerAt));
    if (start < 0) start = sorted.length;
  }
  const result: ListUploadsResult = { uploads: [], prefixes: [] };
  let count = 0;
  let lastKey: string | undefined;
  let lastId: string | undefined;
  for (let i = start; i < sorted.length; i++) {
    const u = sorted[i]!;
    if (!u.key.startsWith(prefix)) continue;
    let common: string | undefined;
    if (delimiter) {
      const at = u.key.indexOf(delimiter, prefix.length);
      if (at >= 0) common = u.key.slice(0, at + delimiter.length);
    }
    if (common !== undefined && (common === lastKey || (keyMarker !== undefined && compareKeys(common, keyMarker) <= 0))) continue;
    if (count === limit) {
      if (lastKey !== undefined) result.nextKeyMarker = lastKey;
      if (lastId !== undefined) result.nextUploadIdMarker = lastId;
      break;
    }
    count++;
    if (common !== undefined) {
      result.prefixes.push(common);
      lastKey = common;
      lastId = undefined;
    } else {
      result.uploads.push({ key: u.key, uploadId: u.uploadId, initiated: new Date(u.initiated.getTime()) });
      lastKey = u.key;
      lastId = u.uploadId;
    }
  }
  return result;
}
