/**
 * Every available implementation of each CRC (native, zlib, WebAssembly, JavaScript; checksums.ts picks the
 * fastest) gives the catalogued check value of "123456789" (CRC RevEng catalogue: CRC-32/ISO-HDLC cbf43926,
 * CRC-32/ISCSI e3069283, CRC-64/NVME ae8b14860a799888) and the same CRC as the others over any split of the
 * input — pieces larger than the WebAssembly module's 1 MiB window, odd lengths, views into larger buffers.
 */
import { describe, expect, it } from 'vitest';
import { CRC_IMPLEMENTATIONS, checksumBase64 } from '../src/checksums.ts';

const CHECK: Record<keyof typeof CRC_IMPLEMENTATIONS, string> = { crc32: 'cbf43926', crc32c: 'e3069283', crc64nvme: 'ae8b14860a799888' };

function pseudoRandom(length: number, seed: number): Buffer {
  const b = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

describe.each(Object.keys(CHECK) as (keyof typeof CHECK)[])('%s implementations', (alg) => {
  const impls = CRC_IMPLEMENTATIONS[alg];

  it('include WebAssembly or native code before the JavaScript fallback', () => {
    expect(impls.at(-1)?.name).toBe('javascript');
    expect(impls.length).toBeGreaterThan(1);
  });

  it.each(impls.map((i) => [i.name, i] as const))('%s gives the check value', (_name, impl) => {
    const c = impl.create();
    c.update(Buffer.from('123456789'));
    expect(c.digest().toString('hex')).toBe(CHECK[alg]);
    const empty = impl.create();
    expect(empty.digest().toString('hex')).toBe('0'.repeat(CHECK[alg].length));
  });

  it('agree with each other over any split of the input', () => {
    const data = pseudoRandom(3 * 1024 * 1024 + 13, alg.length);
    const cuts = [0, 1, 7, 8, 1024 * 1024, 1024 * 1024 + 3, 2 * 1024 * 1024 + 5, data.length];
    const whole = impls.map((i) => {
      const c = i.create();
      c.update(data);
      return c.digest().toString('hex');
    });
    expect(new Set(whole).size).toBe(1);
    for (const impl of impls) {
      const c = impl.create();
      for (let k = 1; k < cuts.length; k++) c.update(data.subarray(cuts[k - 1], cuts[k]));
      expect(c.digest().toString('hex'), impl.name).toBe(whole[0]);
      // A plain Uint8Array view at an odd offset of a larger buffer.
      const view = new Uint8Array(data.buffer, data.byteOffset + 3, 1000);
      const v = impl.create();
      v.update(view);
      const ref = impls[impls.length - 1]!.create();
      ref.update(Buffer.from(view));
      expect(v.digest().equals(ref.digest()), impl.name).toBe(true);
    }
  });

  it('is what checksumBase64 uses', () => {
    expect(Buffer.from(checksumBase64(alg, '123456789'), 'base64').toString('hex')).toBe(CHECK[alg]);
  });
});
