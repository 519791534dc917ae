/**
 * The sealed part format of encrypted multipart uploads (src/encryption/part-cipher.ts): each stored part has
 * its own key, so a part number uploaded twice never reuses a (key, nonce) pair, and a part moved to another
 * position or given an edited header fails authentication.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readBytes } from '@strata/storage';
import { PART_HEADER_SIZE, parsePartHeader, partKey, partPlainSize, partStoredSize, sealPart } from '../src/encryption/part-cipher.ts';
import { SEGMENT_SIZE, createOpenStream, sealedSpan } from '../src/encryption/segment-cipher.ts';

const dataKey = randomBytes(32);
const nonce = randomBytes(12);

const seal = (partNumber: number, plain: Buffer) => readBytes(sealPart(dataKey, nonce, partNumber, plain.length, Readable.from([plain])));

/** Opens a stored part whole, taking the key from its header (edited or not). */
function open(stored: Buffer): Promise<Buffer> {
  const header = parsePartHeader(stored.subarray(0, PART_HEADER_SIZE));
  const size = header.size;
  const span = sealedSpan(0, Math.max(0, size - 1), size);
  const sealed = stored.subarray(PART_HEADER_SIZE, PART_HEADER_SIZE + span.stored.end + 1);
  return readBytes(Readable.from([sealed]).pipe(createOpenStream(partKey(dataKey, header), nonce, size, span, size)));
}

describe('part cipher', () => {
  it('round-trips a part, with its stored size computed back', async () => {
    const plain = randomBytes(2 * SEGMENT_SIZE + 5);
    const stored = await seal(3, plain);
    expect(stored.length).toBe(partStoredSize(plain.length));
    expect(partPlainSize(stored.length)).toBe(plain.length);
    expect(parsePartHeader(stored.subarray(0, PART_HEADER_SIZE))).toMatchObject({ partNumber: 3, size: plain.length });
    expect((await open(stored)).equals(plain)).toBe(true);
  });

  it('seals the same part number uploaded twice under different keys (no (key, nonce) pair repeats)', async () => {
    const plain = Buffer.alloc(1000, 7);
    const [a, b] = [await seal(1, plain), await seal(1, plain)];
    const ha = parsePartHeader(a.subarray(0, PART_HEADER_SIZE));
    const hb = parsePartHeader(b.subarray(0, PART_HEADER_SIZE));
    expect(partKey(dataKey, ha).equals(partKey(dataKey, hb))).toBe(false);
    // Same plaintext, same nonces: only distinct keys make the ciphertexts differ.
    expect(a.subarray(PART_HEADER_SIZE).equals(b.subarray(PART_HEADER_SIZE))).toBe(false);
  });

  it('fails authentication for a part whose header names another part number or size', async () => {
    const stored = await seal(2, randomBytes(500));
    const moved = Buffer.from(stored);
    moved.writeUInt32BE(1, 4);
    await expect(open(moved)).rejects.toMatchObject({ code: 'InternalError' });
    const resized = Buffer.from(stored);
    resized.writeBigUInt64BE(499n, 8);
    await expect(open(resized)).rejects.toMatchObject({ code: 'InternalError' });
    expect(() => parsePartHeader(Buffer.alloc(PART_HEADER_SIZE))).toThrow();
  });
});
