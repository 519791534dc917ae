/**
 * The plain shapes handlers work with: an {@link S3Context} in, an {@link S3Response} out. Handlers never touch
 * fastify's reply; the dispatcher writes their answer (XML through the one serializer, streams as they are).
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { Storage } from '@strata/storage';
import type { AuthResult } from './auth/index.ts';
import type { BucketRegistry } from './bucket-registry.ts';
import type { CorsStore } from './cors-store.ts';
import type { EncryptionState } from './encryption/encryption-state.ts';
import type { PartLayouts } from './part-layout.ts';
import type { QueryParams } from './query-params.ts';
import type { VersioningRegistry } from './versioning/versioning-registry.ts';
import type { XmlDocument } from './xml.ts';
import { S3Error } from './s3-errors.ts';

/** The owner every bucket and object reports (the server has one tenant). */
export interface Owner {
  id: string;
  displayName: string;
}

/** What handlers share for the lifetime of the app. */
export interface ServerState {
  storage: Storage;
  buckets: BucketRegistry;
  cors: CorsStore;
  /** Part sizes of completed multipart objects (for `?partNumber=`). */
  layouts: PartLayouts;
  /** Buckets' versioning states and version stores. */
  versioning: VersioningRegistry;
  region: string;
  owner: Owner;
  /** Server-side encryption: the SSE-S3 master key and the buckets' default encryption (absent: not configured). */
  encryption?: EncryptionState;
}

/** One S3 request, addressed and authenticated. */
export interface S3Context {
  /** The S3 operation name (`GetObject`, `ListObjectsV2`, …), as used in metrics and logs. */
  op: string;
  method: string;
  /** The bucket, from the path or the virtual host; undefined for service-level requests. */
  bucket: string | undefined;
  /** The object key, decoded; undefined for bucket- and service-level requests. */
  key: string | undefined;
  /** The query string, decoded on access. */
  query: QueryParams;
  headers: IncomingHttpHeaders;
  /** The raw request: object bodies are piped from it, never buffered. */
  raw: IncomingMessage;
  auth: AuthResult;
  requestId: string;
  /** Fires when the client goes away; passed to every storage call. */
  signal: AbortSignal;
  state: ServerState;
}

/** A handler's answer. */
export interface S3Response {
  /** @default 200 */
  status?: number;
  /** Response headers; undefined values are omitted. */
  headers?: Record<string, string | number | undefined>;
  /** An XML document, written by the one serializer. */
  xml?: XmlDocument;
  /** A raw body (object bytes stream through). */
  body?: Readable | Buffer | string;
}

/** A route's handler. An answer already in hand (a read-cache hit) may come back without a promise. */
export type Handler = (ctx: S3Context) => Promise<S3Response> | S3Response;

/** A single header's value (the first one when repeated), or undefined. */
export function header(ctx: Pick<S3Context, 'headers'>, name: string): string | undefined {
  const v = ctx.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** The storage key of an object: buckets are first-level namespaces of the backing storage. */
export function storageKey(bucket: string, key: string): string {
  return `${bucket}/${key}`;
}

/** The bucket of a context, for handlers routed at bucket or object level (the router guarantees it). */
export function bucketOf(ctx: S3Context): string {
  if (ctx.bucket === undefined) throw new Error('bucket-level route without a bucket');
  return ctx.bucket;
}

/** S3's limit on key length, in UTF-8 bytes (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html). */
export const MAX_S3_KEY_BYTES = 1024;

/** The key of a context, for handlers routed at object level (the router guarantees it); checks S3's length limit. */
export function keyOf(ctx: S3Context): string {
  if (ctx.key === undefined) throw new Error('object-level route without a key');
  if (Buffer.byteLength(ctx.key) > MAX_S3_KEY_BYTES) throw new S3Error('KeyTooLongError');
  return ctx.key;
}
