/**
 * The console's files in memory, ready to send: each built file (brotli at build time) is decoded once at start
 * into its identity bytes, with a strong ETag per form; the gzip form is made on its first request (browsers
 * take brotli, so most servers never need it, and a server start stays a few milliseconds). A request gets the best encoding its
 * `Accept-Encoding` allows (RFC 9110 §12.5.3), `Vary: Accept-Encoding`, and `304 Not Modified` when its
 * `If-None-Match` names the ETag (RFC 9110 §13.1.2).
 *
 * The ETag differs per encoding because the bytes differ: a strong validator must change with the content
 * coding (RFC 9110 §8.8.3).
 */
import { createHash } from 'node:crypto';
import { brotliDecompressSync, constants, gzipSync } from 'node:zlib';
import type { BuiltConsoleAsset } from '@strata/console/assets';

/** A content coding the console sends. */
export type Coding = 'br' | 'gzip' | 'identity';

/** One file, in every coding. */
export interface PreparedAsset {
  path: string;
  contentType: string;
  immutable: boolean;
  /** The file's bytes in `coding`. */
  body(coding: Coding): Buffer;
  etags: Record<Coding, string>;
}

/** The files by name. */
export type AssetTable = ReadonlyMap<string, PreparedAsset>;

/** Decodes the built files and derives their gzip forms and ETags. Throws if a file does not decode to its size. */
export function prepareAssets(built: readonly BuiltConsoleAsset[]): AssetTable {
  const table = new Map<string, PreparedAsset>();
  for (const asset of built) {
    const br = Buffer.from(asset.brotli, 'base64');
    const identity = brotliDecompressSync(br);
    if (identity.length !== asset.size) throw new Error(`console asset ${asset.path}: decodes to ${identity.length} bytes, expected ${asset.size}`);
    let gzip: Buffer | undefined;
    const digest = createHash('sha256').update(identity).digest('base64url').slice(0, 22);
    table.set(asset.path, {
      path: asset.path,
      contentType: asset.contentType,
      immutable: asset.immutable,
      body: (coding) => (coding === 'br' ? br : coding === 'identity' ? identity : (gzip ??= gzipSync(identity, { level: constants.Z_BEST_COMPRESSION }))),
      etags: { br: `"${digest}-br"`, gzip: `"${digest}-gz"`, identity: `"${digest}"` },
    });
  }
  if (!table.has('index.html')) throw new Error('console assets: no index.html');
  return table;
}

/** The q-value of each coding an `Accept-Encoding` header lists (RFC 9110 §12.5.3); `*` covers the others. */
function acceptedCodings(header: string | undefined): Map<string, number> {
  const accepted = new Map<string, number>();
  for (const item of (header ?? '').split(',')) {
    const [name, ...params] = item.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    accepted.set(name, Number.isFinite(value) ? value : 0);
  }
  return accepted;
}

/**
 * The coding to send: brotli, else gzip, when accepted with a q-value above zero; identity otherwise (also
 * when the header is absent: any coding would then be allowed, but identity is always safe).
 */
export function chooseCoding(acceptEncoding: string | undefined): Coding {
  if (acceptEncoding === undefined) return 'identity';
  const accepted = acceptedCodings(acceptEncoding);
  const q = (name: string) => accepted.get(name) ?? accepted.get('*') ?? 0;
  if (q('br') > 0) return 'br';
  if (q('gzip') > 0 || (accepted.get('x-gzip') ?? 0) > 0) return 'gzip';
  return 'identity';
}

/** Whether an `If-None-Match` header matches `etag` (weak comparison, as RFC 9110 §13.1.2 asks for GET). */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}
