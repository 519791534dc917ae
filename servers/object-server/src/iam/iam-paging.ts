/**
 * Pagination of IAM list actions (ListUsers, ListAccessKeys, ListUserPolicies), as the IAM API reference
 * defines it for each ("ListUsers", https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html,
 * "Request Parameters" and "Response Elements"): `MaxItems` (1–1000, default 100) caps one answer; when more
 * remain, `IsTruncated` is `true` and `Marker` holds the token the next request passes as `Marker`.
 *
 * The marker is opaque to callers; here it is the base64url of the last returned item's name, and the next page
 * starts after that name in name order, so items created or deleted between pages neither repeat nor shift
 * the rest. A marker that does not decode, or a MaxItems outside its range, is IAM's ValidationError.
 */
import { IamError } from './iam-errors.ts';

/** IAM's default and largest page. */
export const DEFAULT_MAX_ITEMS = 100;
export const MAX_MAX_ITEMS = 1000;

/** One page of a list action: the items and the truncation fields of its result. */
export interface IamPage<T> {
  items: T[];
  /** `IsTruncated` and, when true, `Marker`, in the order IAM writes them. */
  fields: { IsTruncated: string; Marker?: string };
}

/** The page of `items` (any order; sorted here by `nameOf`) that the request's MaxItems and Marker select. */
export function iamPage<T>(items: readonly T[], nameOf: (item: T) => string, params: URLSearchParams): IamPage<T> {
  const maxItems = maxItemsOf(params.get('MaxItems'));
  const after = markerOf(params.get('Marker'));
  const sorted = [...items].sort((a, b) => compare(nameOf(a), nameOf(b)));
  const rest = after === undefined ? sorted : sorted.filter((item) => compare(nameOf(item), after) > 0);
  const page = rest.slice(0, maxItems);
  if (rest.length <= maxItems) return { items: page, fields: { IsTruncated: 'false' } };
  const last = page[page.length - 1] as T;
  return { items: page, fields: { IsTruncated: 'true', Marker: Buffer.from(nameOf(last), 'utf8').toString('base64url') } };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function maxItemsOf(value: string | null): number {
  if (value === null || value === '') return DEFAULT_MAX_ITEMS;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_MAX_ITEMS) {
    throw new IamError('ValidationError', `1 validation error detected: Value '${value}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and ${MAX_MAX_ITEMS}`);
  }
  return n;
}

function markerOf(value: string | null): string | undefined {
  if (value === null || value === '') return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new IamError('ValidationError', 'Invalid Marker.');
  return Buffer.from(value, 'base64url').toString('utf8');
}
