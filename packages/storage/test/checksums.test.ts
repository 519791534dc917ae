import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CHECKSUM_ALGORITHMS, checksumBase64, combineFullObjectChecksum, compositeChecksum, createChecksum } from '../src/index.ts';
import { crc32Family } from '../src/crc.ts';

const hex = (alg: Parameters<typeof createChecksum>[0], data: Uint8Array | string) => Buffer.from(checksumBase64(alg, data), 'base64').toString('hex');

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

describe('checksum algorithms', () => {
  it('lists the five S3 algorithms', () => {
    expect([...CHECKSUM_ALGORITHMS]).toEqual(['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256']);
  });

  it('matches the CRC catalogue check values for "123456789"', () => {
    expect(hex('crc32', '123456789')).toBe('cbf43926');
    expect(hex('crc32c', '123456789')).toBe('e3069283');
    expect(hex('crc64nvme', '123456789')).toBe('ae8b14860a799888');
  });

  it('matches CRC-32C vectors of RFC 3720 §B.4', () => {
    expect(hex('crc32c', Buffer.alloc(32))).toBe('8a9136aa');
    expect(hex('crc32c', Buffer.alloc(32, 0xff))).toBe('62a8ab43');
    expect(hex('crc32c', Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).toBe('46dd794e');
  });

  it('matches CRC-64/NVME vectors of the AWS SDKs, SPDK and crc64fast-nvme', () => {
    expect(hex('crc64nvme', Buffer.alloc(32))).toBe('cf3473434d4ecf3b');
    expect(hex('crc64nvme', Buffer.alloc(4096))).toBe('6482d367eb22b64e');
    expect(hex('crc64nvme', Buffer.alloc(4096, 0xff))).toBe('c0ddba7302eca3ac');
    expect(hex('crc64nvme', 'aaaaaaaaaa')).toBe('0c1a80036d65c555');
    expect(hex('crc64nvme', 'hello world!')).toBe('d9160d1fa8e418e3');
    expect(checksumBase64('crc64nvme', 'Hello, World!\n')).toBe('SoXXbx67KpE=');
  });

  it('gives digests of the right width, big-endian', () => {
    const widths = { crc32: 4, crc32c: 4, crc64nvme: 8, sha1: 20, sha256: 32 } as const;
    for (const alg of CHECKSUM_ALGORITHMS) {
      const c = createChecksum(alg);
      c.update(Buffer.from('abc'));
      expect(c.digest()).toHaveLength(widths[alg]);
    }
  });

  it('computes sha1 and sha256 as node:crypto does', () => {
    const data = bytes(1000);
    expect(checksumBase64('sha1', data)).toBe(createHash('sha1').update(data).digest('base64'));
    expect(checksumBase64('sha256', data)).toBe(createHash('sha256').update(data).digest('base64'));
  });

  it('gives the same digest however the input is split (slicing-by-8 body and byte tail)', () => {
    const data = bytes(1237, 7);
    for (const alg of CHECKSUM_ALGORITHMS) {
      const whole = checksumBase64(alg, data);
      for (const step of [1, 3, 7, 8, 9, 64, 1000]) {
        const c = createChecksum(alg);
        for (let i = 0; i < data.length; i += step) c.update(data.subarray(i, i + step));
        expect(c.digest().toString('base64'), `${alg} step ${step}`).toBe(whole);
      }
    }
  });

  it('the table CRC-32 (used before Node 20.15) agrees with zlib', () => {
    const data = bytes(4099, 3);
    const table = crc32Family(0xedb88320)();
    table.update(data);
    expect(table.digest().toString('base64')).toBe(checksumBase64('crc32', data));
  });

  it('hashes a few MiB quickly enough for streaming uploads', () => {
    const data = bytes(4 * 1024 * 1024, 9);
    const t = performance.now();
    checksumBase64('crc32c', data);
    checksumBase64('crc64nvme', data);
    expect(performance.now() - t).toBeLessThan(2000);
  });
});

describe('multipart checksums', () => {
  it('a composite checksum is the checksum of the raw part checksums, with -N', () => {
    const parts = [bytes(100, 1), bytes(50, 2), bytes(7, 3)];
    for (const alg of CHECKSUM_ALGORITHMS) {
      const sums = parts.map((p) => checksumBase64(alg, p));
      const raw = Buffer.concat(sums.map((s) => Buffer.from(s, 'base64')));
      expect(compositeChecksum(alg, sums)).toBe(`${checksumBase64(alg, raw)}-3`);
    }
  });

  it('a full-object CRC combined from parts equals the CRC of the whole object', () => {
    const data = bytes(300_001, 5);
    const cuts = [0, 1, 1, 8, 4096, 150_000, 300_000, 300_001];
    for (const alg of ['crc32', 'crc32c', 'crc64nvme'] as const) {
      const parts = cuts.slice(1).map((end, i) => {
        const p = data.subarray(cuts[i], end);
        return { checksum: checksumBase64(alg, p), size: p.length };
      });
      expect(combineFullObjectChecksum(alg, parts), alg).toBe(checksumBase64(alg, data));
    }
  });

  it('refuses full-object checksums for sha kinds and malformed part checksums', () => {
    expect(() => combineFullObjectChecksum('sha256', [{ checksum: 'AAAA', size: 1 }])).toThrow(/CRC/);
    expect(() => combineFullObjectChecksum('crc32', [{ checksum: 'AAAAAAAA', size: 1 }])).toThrow(/4 bytes/);
  });

  it('the combined checksum of no parts is the checksum of nothing', () => {
    expect(combineFullObjectChecksum('crc32c', [])).toBe(checksumBase64('crc32c', Buffer.alloc(0)));
  });
});
