/**
 * The object header (metadata.ts): its exact bytes (`head -2` of an object file shows it), padding up to a
 * reservation, and the round trip through headerLength / parseHeader, with non-ASCII keys and metadata.
 */
import { describe, expect, it } from 'vitest';
import type { ObjectInfo } from '@strata/storage';
import { PREFIX_BYTES, encodeHeader, encodeJsonHeader, headerLength, parseHeader } from '../src/metadata.ts';

const info: ObjectInfo = {
  key: 'dir/ключ ✓',
  size: 4096,
  etag: '0123456789abcdef0123456789abcdef',
  lastModified: new Date(1_700_000_000_123),
  userMetadata: { note: 'é' },
  tags: {},
  checksums: { crc32: 'AAAAAA==' },
};

describe('object header', () => {
  it('is the magic, the data offset, the JSON and a newline', () => {
    const json = JSON.stringify({ ...info, lastModified: info.lastModified.getTime() });
    const total = PREFIX_BYTES + Buffer.byteLength(json) + 1;
    expect(encodeHeader(info).toString('utf8')).toBe(`#strata1 ${String(total).padStart(8, '0')}\n${json}\n`);
  });

  it('pads with spaces to the reserved size and round-trips', () => {
    for (const min of [0, 300, 1000]) {
      const h = encodeHeader(info, min);
      expect(h.length).toBe(Math.max(min, encodeHeader(info).length));
      expect(h[h.length - 1]).toBe(0x0a);
      const n = headerLength(h, h.length);
      expect(n).toBe(h.length);
      expect(parseHeader(h, n as number)).toEqual(info);
    }
  });

  it('holds any JSON value', () => {
    const h = encodeJsonHeader({ parts: [1, 2], name: 'ü' }, 64);
    expect(h.length).toBe(64);
    expect(JSON.parse(h.toString('utf8', PREFIX_BYTES, 63))).toEqual({ parts: [1, 2], name: 'ü' });
  });
});
