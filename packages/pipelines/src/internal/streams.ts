/**
 * Byte helpers: reading a stream whole, and gzip'd JSON Lines. Segments and data files are written as one or
 * more gzip members; RFC 1952 §2.2 lets members be concatenated and Node's gunzip reads them back as one
 * stream, which is what lets an index point at a member boundary and a ranged read start there.
 */
import { gunzipSync, gzipSync, createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** Reads a stream whole into one Buffer (for small objects: state files, log entries, indexes). */
export async function readStream(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Encodes values as JSON Lines in one gzip member. */
export function gzipJsonLines(values: readonly unknown[]): Buffer {
  return gzipSync(values.map((v) => JSON.stringify(v) + '\n').join(''));
}

/** Decodes a whole gzip'd JSON Lines buffer (any number of members). */
export function gunzipJsonLines<T>(data: Uint8Array): T[] {
  const text = gunzipSync(data).toString('utf8');
  return text.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as T);
}

/** Streams parsed JSON lines out of a gzip'd stream, one at a time, with bounded memory. */
export async function* streamJsonLines<T>(body: Readable): AsyncGenerator<T> {
  const gunzip = createGunzip();
  body.on('error', (e) => gunzip.destroy(e));
  const lines = createInterface({ input: body.pipe(gunzip), crlfDelay: Infinity });
  try {
    for await (const line of lines) if (line.length > 0) yield JSON.parse(line) as T;
  } finally {
    lines.close();
    body.destroy();
    gunzip.destroy();
  }
}
