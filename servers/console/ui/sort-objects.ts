/**
 * Sorting a page of a folder listing. S3 lists keys in UTF-8 byte order only
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html), so any other order is applied to
 * the page shown, in the browser.
 */
import type { ObjectEntry } from './s3/objects.ts';

/** How the rows of a page are ordered. */
export type SortOrder = 'name-asc' | 'name-desc' | 'size-desc' | 'size-asc' | 'date-desc' | 'date-asc';

/** The sort orders the browser offers, with their labels. */
export const SORT_ORDERS: readonly { value: SortOrder; label: string }[] = [
  { value: 'name-asc', label: 'Name (A–Z)' },
  { value: 'name-desc', label: 'Name (Z–A)' },
  { value: 'size-desc', label: 'Size (largest first)' },
  { value: 'size-asc', label: 'Size (smallest first)' },
  { value: 'date-desc', label: 'Modified (newest first)' },
  { value: 'date-asc', label: 'Modified (oldest first)' },
];

/** Objects in `order`; names compare by UTF-16 code unit, S3's byte order but for characters beyond U+FFFF. */
export function sortObjects(objects: readonly ObjectEntry[], order: SortOrder): ObjectEntry[] {
  const byName = (a: ObjectEntry, b: ObjectEntry) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const time = (o: ObjectEntry) => o.lastModified?.getTime() ?? 0;
  const compare: Record<SortOrder, (a: ObjectEntry, b: ObjectEntry) => number> = {
    'name-asc': byName,
    'name-desc': (a, b) => byName(b, a),
    'size-desc': (a, b) => b.size - a.size || byName(a, b),
    'size-asc': (a, b) => a.size - b.size || byName(a, b),
    'date-desc': (a, b) => time(b) - time(a) || byName(a, b),
    'date-asc': (a, b) => time(a) - time(b) || byName(a, b),
  };
  return [...objects].sort(compare[order]);
}

