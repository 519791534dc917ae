import { describe, expect, it } from 'vitest';
import { assertValidRange, checkReadConditions, checkWriteConditions, contentRange, etagMatches, normalizeEtag, resolveRange } from '../src/index.ts';
import type { ObjectInfo } from '../src/index.ts';

describe('resolveRange', () => {
  const table: [string, Parameters<typeof resolveRange>[0], number, ReturnType<typeof resolveRange> | 'InvalidRange'][] = [
    ['start-end', { start: 0, end: 4 }, 10, { start: 0, end: 4 }],
    ['end past size is clipped', { start: 5, end: 99 }, 10, { start: 5, end: 9 }],
    ['open end', { start: 3 }, 10, { start: 3, end: 9 }],
    ['last byte', { start: 9 }, 10, { start: 9, end: 9 }],
    ['start at size', { start: 10 }, 10, 'InvalidRange'],
    ['start beyond size', { start: 11, end: 20 }, 10, 'InvalidRange'],
    ['suffix', { suffix: 4 }, 10, { start: 6, end: 9 }],
    ['suffix = size', { suffix: 10 }, 10, { start: 0, end: 9 }],
    ['suffix > size', { suffix: 11 }, 10, { start: 0, end: 9 }],
    ['suffix 0', { suffix: 0 }, 10, 'InvalidRange'],
    ['empty object, range', { start: 0, end: 5 }, 0, undefined],
    ['empty object, start beyond', { start: 3 }, 0, undefined],
    ['empty object, suffix', { suffix: 3 }, 0, undefined],
    ['empty object, suffix 0', { suffix: 0 }, 0, undefined],
  ];
  for (const [name, range, size, want] of table) {
    it(name, () => {
      if (want === 'InvalidRange') expect(() => resolveRange(range, size)).toThrow(expect.objectContaining({ code: 'InvalidRange' }));
      else expect(resolveRange(range, size)).toEqual(want);
    });
  }

  it('assertValidRange rejects malformed ranges', () => {
    for (const r of [{ start: -1 }, { start: 1.5 }, { start: 5, end: 4 }, { suffix: -1 }, { start: Number.MAX_SAFE_INTEGER + 2 }]) {
      expect(() => assertValidRange(r), JSON.stringify(r)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    }
    assertValidRange({ start: 0, end: 0 });
    assertValidRange({ suffix: 0 });
  });

  it('formats Content-Range', () => {
    expect(contentRange({ start: 0, end: 99 }, 1000)).toBe('bytes 0-99/1000');
  });
});

describe('conditions', () => {
  const info: ObjectInfo = { key: 'k', size: 1, etag: 'abc', lastModified: new Date('2025-01-01T00:00:10.700Z'), userMetadata: {}, tags: {} };
  const at = (s: string) => new Date(s);
  const run = (c: Parameters<typeof checkReadConditions>[1]) => {
    try {
      checkReadConditions(info, c);
      return 'ok';
    } catch (e) {
      return (e as { code: string }).code;
    }
  };

  it('normalizes and matches entity tags', () => {
    expect(normalizeEtag(' W/"abc" ')).toBe('abc');
    expect(etagMatches('"x", "abc"', 'abc')).toBe(true);
    expect(etagMatches('*', 'anything')).toBe(true);
    expect(etagMatches('"x"', '"abc"')).toBe(false);
  });

  const table: [string, Parameters<typeof checkReadConditions>[1], string][] = [
    ['no conditions', {}, 'ok'],
    ['If-Match matches', { ifMatch: '"abc"' }, 'ok'],
    ['If-Match fails', { ifMatch: 'x' }, 'PreconditionFailed'],
    ['If-None-Match matches', { ifNoneMatch: 'abc' }, 'NotModified'],
    ['If-None-Match *', { ifNoneMatch: '*' }, 'NotModified'],
    ['If-Modified-Since same second', { ifModifiedSince: at('2025-01-01T00:00:10Z') }, 'NotModified'],
    ['If-Modified-Since earlier', { ifModifiedSince: at('2025-01-01T00:00:09Z') }, 'ok'],
    ['If-Unmodified-Since same second', { ifUnmodifiedSince: at('2025-01-01T00:00:10Z') }, 'ok'],
    ['If-Unmodified-Since earlier', { ifUnmodifiedSince: at('2025-01-01T00:00:09Z') }, 'PreconditionFailed'],
    ['If-Match true overrides If-Unmodified-Since false', { ifMatch: 'abc', ifUnmodifiedSince: at('2000-01-01') }, 'ok'],
    ['If-Match false beats If-None-Match', { ifMatch: 'x', ifNoneMatch: 'abc' }, 'PreconditionFailed'],
    ['If-None-Match false overrides If-Modified-Since false', { ifNoneMatch: 'x', ifModifiedSince: at('2030-01-01') }, 'ok'],
    ['If-Unmodified-Since false beats If-None-Match', { ifUnmodifiedSince: at('2000-01-01'), ifNoneMatch: 'abc' }, 'PreconditionFailed'],
    ['If-Match true then If-None-Match matches', { ifMatch: 'abc', ifNoneMatch: 'abc' }, 'NotModified'],
  ];
  for (const [name, c, want] of table) it(name, () => expect(run(c)).toBe(want));

  it('write conditions', () => {
    expect(() => checkWriteConditions({ etag: 'a' }, { ifNoneMatch: '*' }, 'put', 'k')).toThrow(expect.objectContaining({ code: 'AlreadyExists' }));
    expect(() => checkWriteConditions(undefined, { ifMatch: 'a' }, 'put', 'k')).toThrow(expect.objectContaining({ code: 'PreconditionFailed' }));
    expect(() => checkWriteConditions({ etag: 'a' }, { ifMatch: 'b' }, 'put', 'k')).toThrow(expect.objectContaining({ code: 'PreconditionFailed' }));
    checkWriteConditions({ etag: 'a' }, { ifMatch: '"a"' }, 'put', 'k');
    checkWriteConditions(undefined, { ifNoneMatch: '*' }, 'put', 'k');
  });
});
