/**
 * Copy by bytes: for a ranged copy (UploadPartCopy through the generic path) or a multipart source, whose new
 * ETag must be the MD5 of the bytes copied (as S3 and the memory adapter do). The source's pages are pinned
 * while they are read into fresh pages; the commit then checks the destination conditions atomically.
 */
import { createHash } from 'node:crypto';
import { checkWriteConditions, createChecksum, resolveRange } from '@strata/storage';
import type { ChecksumAlgorithm, Checksums, CopyOptions, ObjectInfo } from '@strata/storage';
import type { BlockStore } from './block-store.ts';
import { readStream, writeData } from './data-io.ts';
import { pickHeaders, toInfo } from './object-info.ts';
import type { IndexView, StoredObject } from './records.ts';

/** Copies `src` (or `options.range` of it) into fresh pages and commits it at `destination`. */
export async function copyByBytes(store: BlockStore, src: StoredObject, destination: string, options: CopyOptions, checkLimit: (view: IndexView) => void): Promise<ObjectInfo> {
  const range = options.range ? resolveRange(options.range, src.size) : undefined;
  const start = range?.start ?? 0;
  const end = range?.end ?? src.size - 1;
  const md5 = createHash('md5');
  const algorithms = Object.keys(src.checksums ?? {}) as ChecksumAlgorithm[];
  const sums = algorithms.map((a) => [a, createChecksum(a)] as const);
  const stream = readStream(store, src, start, end);
  async function* hashed(): AsyncGenerator<Buffer> {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      md5.update(chunk);
      for (const [, c] of sums) c.update(chunk);
      yield chunk;
    }
  }
  const data = await writeData(store, hashed(), { signal: options.signal });
  try {
    const replace = options.metadataDirective === 'replace';
    const meta = replace ? options : undefined;
    const obj: StoredObject = {
      key: destination,
      size: range ? end - start + 1 : src.size,
      etag: md5.digest('hex'),
      lastModified: Date.now(),
      headers: meta ? pickHeaders(meta) : { ...src.headers },
      userMetadata: { ...(meta ? meta.userMetadata : src.userMetadata) },
      tags: { ...(meta ? meta.tags : src.tags) },
      extents: data.extents,
    };
    if (data.inline) obj.inline = data.inline.toString('base64');
    if (sums.length > 0) {
      const checksums: Checksums = {};
      for (const [a, c] of sums) checksums[a] = c.digest().toString('base64');
      obj.checksums = checksums;
    }
    return await store.commit((view) => {
      checkWriteConditions(view.object(destination), options, 'copy', destination);
      checkLimit(view);
      return { record: { op: 'put', obj }, result: toInfo(obj) };
    }, data.extents.length > 0);
  } catch (e) {
    store.freeUnreferenced(data.extents);
    throw e;
  }
}
