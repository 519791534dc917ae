import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checksumBase64, prepareBody, readBytes, readJson, readText, toReadable } from '../src/index.ts';
import type { Body } from '../src/index.ts';
import { rejectsWith } from './helpers.ts';

const md5b64 = (s: string) => createHash('md5').update(s).digest('base64');

describe('toReadable', () => {
  const cases: [string, () => Body][] = [
    ['a string (UTF-8)', () => 'héllo'],
    ['a Buffer', () => Buffer.from('héllo')],
    ['a Uint8Array view', () => new Uint8Array(Buffer.from('xxhéllo')).subarray(2)],
    ['a Node Readable', () => Readable.from([Buffer.from('hé'), Buffer.from('llo')])],
    ['a Readable with an encoding', () => Readable.from([Buffer.from('héllo')], { objectMode: false }).setEncoding('utf8')],
    ['a web ReadableStream', () => new ReadableStream<Uint8Array>({ start(c) { c.enqueue(new TextEncoder().encode('hé')); c.enqueue(new TextEncoder().encode('llo')); c.close(); } })],
    ['an async iterable of strings and bytes', () => (async function* () { yield 'hé'; yield new TextEncoder().encode('llo'); })()],
    ['an iterable of Uint8Arrays', () => [new TextEncoder().encode('hé'), new TextEncoder().encode('llo')]],
  ];
  for (const [name, make] of cases) {
    it(`reads ${name} as Buffers`, async () => {
      const stream = toReadable(make());
      const chunks: unknown[] = [];
      for await (const c of stream) chunks.push(c);
      expect(chunks.every((c) => Buffer.isBuffer(c))).toBe(true);
      expect(Buffer.concat(chunks as Buffer[]).toString('utf8')).toBe('héllo');
    });
  }

  it('turns one Uint8Array into one chunk, not one chunk per byte', async () => {
    const chunks: Buffer[] = [];
    for await (const c of toReadable(Buffer.alloc(100_000, 1))) chunks.push(c as Buffer);
    expect(chunks).toHaveLength(1);
  });

  it('pulls a stream lazily: an unread body is not drained into memory (backpressure)', async () => {
    let produced = 0;
    const infinite = (async function* () {
      for (;;) {
        produced++;
        yield Buffer.alloc(64 * 1024);
      }
    })();
    const prepared = prepareBody(infinite);
    await new Promise((r) => setTimeout(r, 50));
    // Only the stream buffers' worth (a few highWaterMarks) may have been pulled.
    expect(produced).toBeLessThan(10);
    prepared.stream.destroy();
  });

  it('rejects a non-byte chunk', async () => {
    await rejectsWith(readBytes(toReadable([42 as unknown as Uint8Array])), 'InvalidArgument');
  });

  it('readText / readJson read whole streams', async () => {
    expect(await readText(toReadable('abc'))).toBe('abc');
    expect(await readJson(toReadable('{"a":[1,2]}'))).toEqual({ a: [1, 2] });
  });
});

describe('prepareBody', () => {
  it('computes size, MD5 etag and requested checksums as the bytes flow', async () => {
    const p = prepareBody(Readable.from([Buffer.from('hello '), Buffer.from('world')]), { checksumAlgorithms: ['crc32c', 'sha256'] });
    expect(p.contentLength).toBeUndefined();
    expect(() => p.digests()).toThrow(/only after/);
    expect((await readBytes(p.stream)).toString()).toBe('hello world');
    const d = p.digests();
    expect(d.size).toBe(11);
    expect(d.etag).toBe(createHash('md5').update('hello world').digest('hex'));
    expect(d.md5.toString('hex')).toBe(d.etag);
    expect(d.checksums).toEqual({ crc32c: checksumBase64('crc32c', 'hello world'), sha256: checksumBase64('sha256', 'hello world') });
  });

  it('accepts a matching Content-MD5, length and expected checksums (also stored)', async () => {
    const p = prepareBody('abc', { contentMd5: md5b64('abc'), contentLength: 3, expectedChecksums: { crc32: checksumBase64('crc32', 'abc') } });
    await readBytes(p.stream);
    expect(p.digests().checksums).toEqual({ crc32: checksumBase64('crc32', 'abc') });
  });

  it('errors (BadDigest) instead of ending on a wrong Content-MD5', async () => {
    const p = prepareBody('abc', { contentMd5: md5b64('abd') });
    await rejectsWith(readBytes(p.stream), 'InvalidArgument', 'BadDigest');
    expect(() => p.digests()).toThrow();
  });

  it('errors (BadDigest) on a wrong expected checksum', async () => {
    const p = prepareBody('abc', { expectedChecksums: { sha1: checksumBase64('sha1', 'abd') } });
    await rejectsWith(readBytes(p.stream), 'InvalidArgument', 'BadDigest');
  });

  it('calls an expected-checksums function at the end (trailer checksums)', async () => {
    let trailer: string | undefined;
    let calledAt = -1;
    let read = 0;
    const p = prepareBody(Readable.from([Buffer.from('ab'), Buffer.from('c')]), {
      checksumAlgorithms: ['crc32c'],
      expectedChecksums: () => {
        calledAt = read;
        return { crc32c: trailer };
      },
    });
    p.stream.on('data', (c: Buffer) => {
      read += c.length;
      if (read === 3) trailer = checksumBase64('crc32c', 'abc');
    });
    await new Promise((resolve, reject) => p.stream.on('end', resolve).on('error', reject));
    expect(calledAt).toBe(3);
    expect(p.digests().checksums.crc32c).toBe(checksumBase64('crc32c', 'abc'));
  });

  it('a function naming a wrong value or an unannounced algorithm fails', async () => {
    const wrong = prepareBody('abc', { checksumAlgorithms: ['crc32'], expectedChecksums: () => ({ crc32: checksumBase64('crc32', 'x') }) });
    await rejectsWith(readBytes(wrong.stream), 'InvalidArgument', 'BadDigest');
    const unannounced = prepareBody('abc', { expectedChecksums: () => ({ sha256: checksumBase64('sha256', 'abc') }) });
    await rejectsWith(readBytes(unannounced.stream), 'InvalidArgument', 'BadDigest');
  });

  it('a function returning undefined verifies nothing', async () => {
    const p = prepareBody('abc', { expectedChecksums: () => undefined });
    expect((await readBytes(p.stream)).toString()).toBe('abc');
  });

  it('errors (IncompleteBody) on a short or long body', async () => {
    await rejectsWith(readBytes(prepareBody('abc', { contentLength: 4 }).stream), 'InvalidArgument', 'IncompleteBody');
    await rejectsWith(readBytes(prepareBody('abcde', { contentLength: 4 }).stream), 'InvalidArgument', 'IncompleteBody');
  });

  it('errors with Aborted when the signal fires mid-stream, and destroys the source', async () => {
    const ac = new AbortController();
    const source = new Readable({ read() {} });
    const p = prepareBody(source, { signal: ac.signal });
    source.push(Buffer.from('partial'));
    const reading = readBytes(p.stream);
    setTimeout(() => ac.abort(), 10);
    await rejectsWith(reading, 'Aborted');
    expect(source.destroyed).toBe(true);
  });

  it('errors with Aborted at once when the signal already fired', async () => {
    const ac = new AbortController();
    ac.abort();
    await rejectsWith(readBytes(prepareBody('abc', { signal: ac.signal }).stream), 'Aborted');
  });

  it('turns a failing source into a storage error that keeps the cause', async () => {
    const boom = new Error('socket reset');
    const source = (async function* () {
      yield Buffer.from('a');
      throw boom;
    })();
    const p = prepareBody(source);
    const err = (await rejectsWith(readBytes(p.stream), 'InvalidArgument', 'IncompleteBody')) as unknown as Error;
    expect(err.cause).toBe(boom);
  });

  it('fails (IncompleteBody) when the source closes before its end without an error', async () => {
    // An HTTP request whose connection went away while no one listened for its error just closes.
    const source = new Readable({ read() {} });
    source.push(Buffer.from('ab'));
    const p = prepareBody(source, { contentLength: 4 });
    setTimeout(() => source.destroy(), 5);
    await rejectsWith(readBytes(p.stream), 'InvalidArgument', 'IncompleteBody');
  });

  it('fails (IncompleteBody) when the source was already closed before its end', async () => {
    const source = new Readable({ read() {} });
    source.destroy();
    await new Promise((r) => setImmediate(r));
    await rejectsWith(readBytes(prepareBody(source).stream), 'InvalidArgument', 'IncompleteBody');
  });

  it('handles an empty body', async () => {
    const p = prepareBody(new Uint8Array(0), { contentLength: 0, checksumAlgorithms: ['crc64nvme'] });
    expect(await readBytes(p.stream)).toHaveLength(0);
    expect(p.digests()).toMatchObject({ size: 0, etag: 'd41d8cd98f00b204e9800998ecf8427e' });
    expect(p.digests().checksums.crc64nvme).toBe(checksumBase64('crc64nvme', ''));
  });
});
