/**
 * The sealed segment format of encrypted objects (src/encryption/segment-cipher.ts): round trips of whole
 * objects and of ranges read from only their covering segments, and authentication failures for damaged,
 * truncated or reordered stored bytes.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readBytes } from '@strata/storage';
import { SEGMENT_SIZE, createOpenStream, createSealStream, openFooter, plaintextSize, sealedSize, sealedSpan, storedSize } from '../src/encryption/segment-cipher.ts';

const key = randomBytes(32);
const nonce = randomBytes(12);

/** Seals `plain`, fed in chunks of `chunk` bytes. */
async function seal(plain: Buffer, chunk = 10_000) {
  const chunks: Buffer[] = [];
  for (let i = 0; i < plain.length; i += chunk) chunks.push(plain.subarray(i, i + chunk));
  const sealer = createSealStream(key, nonce);
  const stored = await readBytes(Readable.from(chunks).pipe(sealer));
  return { stored, md5: sealer.md5 };
}

/** Opens the plaintext range [start, end] from the stored bytes, reading only the span's stored bytes. */
function open(stored: Buffer, size: number, start: number, end: number): Promise<Buffer> {
  const span = sealedSpan(start, end, size);
  const slice = stored.subarray(span.stored.start, span.stored.end + 1);
  return readBytes(Readable.from([slice]).pipe(createOpenStream(key, nonce, size, span, end - start + 1)));
}

describe('segment cipher', () => {
  it('round-trips sizes around segment boundaries, with the stored size computed back', async () => {
    for (const size of [0, 1, SEGMENT_SIZE - 1, SEGMENT_SIZE, SEGMENT_SIZE + 1, 3 * SEGMENT_SIZE + 17]) {
      const plain = randomBytes(size);
      const { stored, md5 } = await seal(plain);
      expect(stored.length).toBe(storedSize(size));
      expect(plaintextSize(stored.length)).toBe(size);
      if (size >= 16) expect(stored.includes(plain.subarray(0, 16))).toBe(false);
      expect(openFooter(key, nonce, size, stored.subarray(sealedSize(size)))).toBe(md5);
      if (size > 0) expect((await open(stored, size, 0, size - 1)).equals(plain)).toBe(true);
    }
  });

  it('opens ranges from the covering segments only', async () => {
    const size = 4 * SEGMENT_SIZE + 100;
    const plain = randomBytes(size);
    const { stored } = await seal(plain, 7777);
    for (const [start, end] of [[0, 0], [SEGMENT_SIZE - 1, SEGMENT_SIZE], [2 * SEGMENT_SIZE + 5, 3 * SEGMENT_SIZE + 5], [size - 1, size - 1], [100, size - 1]] as const) {
      expect((await open(stored, size, start, end)).equals(plain.subarray(start, end + 1))).toBe(true);
    }
  });

  it('fails on a flipped bit, a truncated object and segments swapped', async () => {
    const size = 3 * SEGMENT_SIZE;
    const { stored } = await seal(randomBytes(size));
    const flipped = Buffer.from(stored);
    flipped[SEGMENT_SIZE + 40] = (flipped[SEGMENT_SIZE + 40] as number) ^ 1;
    await expect(open(flipped, size, 0, size - 1)).rejects.toMatchObject({ code: 'InternalError' });
    // Cut after two segments and claim that is the whole object: the last-segment flag does not authenticate.
    const two = 2 * SEGMENT_SIZE;
    await expect(open(stored.subarray(0, two + 32), two, 0, two - 1)).rejects.toMatchObject({ code: 'InternalError' });
    const sealed = SEGMENT_SIZE + 16;
    const swapped = Buffer.concat([stored.subarray(sealed, 2 * sealed), stored.subarray(0, sealed), stored.subarray(2 * sealed)]);
    await expect(open(swapped, size, 0, size - 1)).rejects.toMatchObject({ code: 'InternalError' });
  });
});
