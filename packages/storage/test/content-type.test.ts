/**
 * Content-Type from the key's extension: the built-in table (`contentTypeFromKey`) and the opt-in layer
 * `withContentTypeFromExtension`, over the real memory storage — which writes get a type, and which keep
 * what the caller or the source object says.
 */
import { describe, expect, it } from 'vitest';
import { CONTENT_TYPES, contentTypeFromKey, createMemoryStorage, withContentTypeFromExtension, withPrefix } from '../src/index.ts';

describe('contentTypeFromKey', () => {
  it.each([
    ['photos/cat.jpg', 'image/jpeg'],
    ['photos/CAT.JPG', 'image/jpeg'],
    ['index.html', 'text/html'],
    ['data/part-0001.parquet', 'application/vnd.apache.parquet'],
    ['backup.tar.gz', 'application/gzip'],
    ['v1.2/readme.md', 'text/markdown'],
    ['dir.d/file', undefined],
    ['.env', undefined],
    ['photos/.hidden', undefined],
    ['trailing.', undefined],
    ['noext', undefined],
    ['unknown.xyz123', undefined],
    ['proto.constructor', undefined],
    ['proto.__proto__', undefined],
    ['photos/', undefined],
  ])('%s → %s', (key, type) => {
    expect(contentTypeFromKey(key)).toBe(type);
  });

  it('takes a table of its own, which replaces the built-in one', () => {
    const types = { ...CONTENT_TYPES, heif: 'image/heif' };
    expect(contentTypeFromKey('a.heif', types)).toBe('image/heif');
    expect(contentTypeFromKey('a.jpg', { heif: 'image/heif' })).toBeUndefined();
    expect(Object.isFrozen(CONTENT_TYPES)).toBe(true);
  });
});

describe('withContentTypeFromExtension', () => {
  it('fills put and multipart uploads without a contentType; an explicit one wins', async () => {
    const s = withContentTypeFromExtension(createMemoryStorage({ minPartSize: 1 }));
    expect((await s.put('photos/cat.jpg', 'x')).contentType).toBe('image/jpeg');
    expect((await s.head('photos/cat.jpg')).contentType).toBe('image/jpeg');
    expect((await s.put('photos/raw.jpg', 'x', { contentType: 'application/octet-stream' })).contentType).toBe('application/octet-stream');
    expect((await s.put('notes', 'x')).contentType).toBeUndefined();
    const upload = await s.startMultipart('exports/report.csv');
    const part = await s.uploadPart('exports/report.csv', upload.uploadId, 1, 'a,b');
    expect((await s.completeMultipart('exports/report.csv', upload.uploadId, [{ partNumber: 1, etag: part.etag }])).contentType).toBe('text/csv');
  });

  it('a copy keeps the source type (or its lack); a replacing copy or move takes the destination extension', async () => {
    const raw = createMemoryStorage();
    const s = withContentTypeFromExtension(raw);
    await raw.put('untyped.bin-ish', 'x');
    expect((await s.copy('untyped.bin-ish', 'copy.png')).contentType).toBeUndefined();
    expect((await s.copy('untyped.bin-ish', 'replaced.png', { metadataDirective: 'replace' })).contentType).toBe('image/png');
    expect((await s.move('replaced.png', 'moved.json', { metadataDirective: 'replace' })).contentType).toBe('application/json');
    expect((await s.move('moved.json', 'kept.txt')).contentType).toBe('application/json');
  });

  it('composes with withPrefix and takes a custom table; refuses a table that is not an object', async () => {
    const s = withPrefix(withContentTypeFromExtension(createMemoryStorage(), { types: { log: 'text/x-log' } }), 'tenant/');
    expect((await s.put('app.log', 'x')).contentType).toBe('text/x-log');
    expect((await s.put('app.jpg', 'x')).contentType).toBeUndefined();
    expect(() => withContentTypeFromExtension(createMemoryStorage(), { types: 'image/png' as never })).toThrow(TypeError);
  });
});
