/**
 * The route table: method + target (service, bucket or object) + sub-resource (a query parameter) or header →
 * operation and handler, in the spirit of versitygw's `s3api/router.go`. The first matching row wins, so rows
 * with a sub-resource come before the plain row of the same method and target.
 *
 * Sub-resources S3 defines but this server does not build answer NotImplemented (501), so clients see a clear
 * "not supported" instead of a wrong answer; a method S3 does not define on a target answers MethodNotAllowed.
 */
import type { Handler } from './context.ts';
import type { QueryParams } from './query-params.ts';
import { S3Error } from './s3-errors.ts';
import { routes } from './routes.ts';

/** What a request addresses. */
export type Target = 'service' | 'bucket' | 'object';

/** One row of the route table. */
export interface Route {
  method: string;
  target: Target;
  /** Query parameters that must all be present (`uploads`, `uploadId`, `tagging`, …). */
  query?: string[];
  /** A header that must be present (`x-amz-copy-source` for copies). */
  header?: string;
  /** The S3 operation name, for metrics and logs. */
  op: string;
  handler: Handler;
  /** Whether the bucket must exist before the handler runs. @default true for bucket and object targets */
  needsBucket?: boolean;
  /** Whether the request is answered without authentication (CORS preflight). */
  anonymous?: boolean;
}

/** Sub-resources S3 defines that this server does not implement. */
export const UNBUILT_SUBRESOURCES = [
  'accelerate', 'analytics', 'attributes', 'encryption', 'intelligent-tiering', 'inventory', 'legal-hold', 'lifecycle',
  'logging', 'metadataConfiguration', 'metadataTable', 'metrics', 'notification', 'object-lock', 'ownershipControls',
  'policy', 'policyStatus', 'publicAccessBlock', 'replication', 'requestPayment', 'restore', 'retention', 'select',
  'session', 'torrent', 'versions', 'website', 'acl', 'versioning', 'tagging', 'cors', 'location', 'renameObject',
] as const;

const UNBUILT = new Set<string>(UNBUILT_SUBRESOURCES);

/**
 * The first unbuilt sub-resource in the query (in {@link UNBUILT_SUBRESOURCES} order), or undefined. One pass
 * over the query's few names first: 33 `has` scans per request showed in the GET profile.
 */
function unbuiltIn(query: QueryParams): string | undefined {
  for (let i = 0; i < query.size; i++) {
    const name = query.nameAt(i) as string;
    // Every sub-resource name starts with a lower-case letter; the X-Amz-* parameters of a presigned URL stop here.
    const first = name.charCodeAt(0);
    if (first >= 0x61 && first <= 0x7a && UNBUILT.has(name)) return UNBUILT_SUBRESOURCES.find((s) => query.has(s));
  }
  return undefined;
}

/** The rows of a table grouped by method and target, in table order: a request scans only its own few rows. */
type RouteIndex = Map<string, Partial<Record<Target, Route[]>>>;
const indexes = new WeakMap<readonly Route[], RouteIndex>();

function indexOf(table: readonly Route[]): RouteIndex {
  let index = indexes.get(table);
  if (index === undefined) {
    index = new Map();
    for (const r of table) {
      let byTarget = index.get(r.method);
      if (byTarget === undefined) index.set(r.method, (byTarget = {}));
      (byTarget[r.target] ??= []).push(r);
    }
    indexes.set(table, index);
  }
  return index;
}

function hasAll(query: QueryParams, names: readonly string[]): boolean {
  for (let i = 0; i < names.length; i++) if (!query.has(names[i] as string)) return false;
  return true;
}

/** Picks the route for a request. Throws NotImplemented or MethodNotAllowed when none fits. */
export function matchRoute(
  method: string,
  target: Target,
  query: QueryParams,
  headers: Record<string, string | string[] | undefined>,
  table: readonly Route[] = routes,
): Route {
  const rows = indexOf(table).get(method)?.[target];
  if (rows !== undefined) {
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as Route;
      if (r.query && !hasAll(query, r.query)) continue;
      if (r.header && headers[r.header] === undefined) continue;
      if (!r.query) {
        // A known sub-resource with no row of its own for this method: not built here.
        const unbuilt = unbuiltIn(query);
        if (unbuilt !== undefined) throw new S3Error('NotImplemented', `The ${unbuilt} sub-resource is not implemented for ${method}`);
      }
      return r;
    }
  }
  if (unbuiltIn(query) !== undefined) throw new S3Error('NotImplemented');
  throw new S3Error('MethodNotAllowed', undefined, { extra: { Method: method, ResourceType: target.toUpperCase() } });
}
