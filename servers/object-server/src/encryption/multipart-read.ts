/**
 * Reading an encrypted multipart object: its stored bytes are sealed parts end to end (part-cipher.ts), so a
 * plaintext range maps to a run of parts, and in each part to the few sealed segments covering it
 * (segment-cipher.ts). GetObject's Range and `partNumber=N`
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html) both count plaintext bytes.
 *
 * Where the parts are: CompleteMultipartUpload records the stored part sizes (part-layout.ts); when that
 * record describes the object (same ETag and part count) the layout is computed from it. Otherwise — record
 * lost, or a version of a versioned object — the part headers are read one after another, each naming its
 * plaintext size and so where the next part starts (at most one small read per part, bounded by the part
 * count S3 allows). Either way the sizes must add up to the stored size, or the object is reported damaged.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import type { ObjectInfo } from '@strata/storage';
import type { ServerState } from '../context.ts';
import { S3Error } from '../s3-errors.ts';
import { readAll } from '../streams.ts';
import { PART_HEADER_SIZE, parsePartHeader, partKey, partPlainSize, partStoredSize } from './part-cipher.ts';
import type { PartHeader } from './part-cipher.ts';
import { createOpenStream, sealedSpan } from './segment-cipher.ts';

/** S3's most parts in an upload: the bound of the header walk. */
const MAX_PARTS = 10_000;

/** Where one part of an encrypted multipart object is. */
export interface SealedPart {
  /** Offset of the part's first plaintext byte in the object. */
  plainStart: number;
  /** Plaintext bytes of the part. */
  plainSize: number;
  /** Offset of the part's header in the stored object. */
  storedStart: number;
}

const damaged = () => new S3Error('InternalError', 'The stored parts of the encrypted object do not add up: it is damaged or was not written by this server.');

type Read = (start: number, end: number) => Promise<Buffer>;

function reader(state: ServerState, key: string, stored: ObjectInfo, signal: AbortSignal | undefined): Read {
  return async (start, end) => {
    const got = await state.storage.get(key, { ifMatch: stored.etag, range: { start, end }, ...(signal ? { signal } : {}) });
    return readAll(got.body, end - start + 1);
  };
}

/** Lays out parts of the given plaintext sizes end to end. */
function layOut(sizes: number[], storedTotal: number): SealedPart[] {
  const parts: SealedPart[] = [];
  let plainStart = 0;
  let storedStart = 0;
  for (const plainSize of sizes) {
    parts.push({ plainStart, plainSize, storedStart });
    plainStart += plainSize;
    storedStart += partStoredSize(plainSize);
  }
  if (storedStart !== storedTotal) throw damaged();
  return parts;
}

/** The parts of the encrypted multipart object at `key`, whose stored info is `stored`. */
export async function sealedPartsOf(state: ServerState, key: string, stored: ObjectInfo, signal?: AbortSignal): Promise<SealedPart[]> {
  const layout = await state.layouts.read(key);
  if (layout && layout.etag === stored.etag && (stored.partCount === undefined || layout.sizes.length === stored.partCount)) {
    const sizes = layout.sizes.map(partPlainSize);
    if (sizes.every((s): s is number => s !== undefined)) return layOut(sizes, stored.size);
  }
  const read = reader(state, key, stored, signal);
  const sizes: number[] = [];
  let offset = 0;
  while (offset < stored.size) {
    if (sizes.length === MAX_PARTS || offset + PART_HEADER_SIZE > stored.size) throw damaged();
    const header = parsePartHeader(await read(offset, offset + PART_HEADER_SIZE - 1));
    sizes.push(header.size);
    offset += partStoredSize(header.size);
  }
  return layOut(sizes, stored.size);
}

/** The plaintext range `[start, end]` of part `part` (part-local offsets), opened with the upload's data key. */
async function openPartRange(read: Read, state: ServerState, key: string, stored: ObjectInfo, dataKey: Buffer, nonce: Buffer, part: SealedPart, start: number, end: number, signal: AbortSignal | undefined): Promise<Readable> {
  const header: PartHeader = parsePartHeader(await read(part.storedStart, part.storedStart + PART_HEADER_SIZE - 1));
  if (header.size !== part.plainSize) throw damaged();
  const span = sealedSpan(start, end, part.plainSize);
  const base = part.storedStart + PART_HEADER_SIZE;
  const got = await state.storage.get(key, { ifMatch: stored.etag, range: { start: base + span.stored.start, end: base + span.stored.end }, ...(signal ? { signal } : {}) });
  const plain = createOpenStream(partKey(dataKey, header), nonce, part.plainSize, span, end - start + 1);
  pipeline(got.body, plain, () => {});
  return plain;
}

/**
 * The plaintext bytes `[start, end]` of an encrypted multipart object, streamed part after part: each part's
 * stored bytes are read only when the previous part's have been passed on, so memory stays one segment per
 * part and a client that stops reading stops the reads.
 */
export function multipartBody(state: ServerState, key: string, stored: ObjectInfo, parts: SealedPart[], dataKey: Buffer, nonce: Buffer, start: number, end: number, signal?: AbortSignal): Readable {
  const read = reader(state, key, stored, signal);
  const touched = parts.filter((p) => p.plainSize > 0 && p.plainStart <= end && p.plainStart + p.plainSize - 1 >= start);
  return Readable.from(
    (async function* () {
      for (const part of touched) {
        const from = Math.max(start, part.plainStart) - part.plainStart;
        const to = Math.min(end, part.plainStart + part.plainSize - 1) - part.plainStart;
        const plain = await openPartRange(read, state, key, stored, dataKey, nonce, part, from, to, signal);
        try {
          for await (const chunk of plain) yield chunk as Buffer;
        } finally {
          plain.destroy();
        }
      }
    })(),
    { objectMode: false },
  );
}
