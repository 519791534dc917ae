/**
 * Conditional get and head with S3's precedence (AWS GetObject; RFC 9110 §13.2.2): If-Match, then
 * If-Unmodified-Since (ignored when If-Match is given), then If-None-Match, then If-Modified-Since (ignored
 * when If-None-Match is given). Failing If-Match/If-Unmodified-Since → `PreconditionFailed` (412);
 * matching If-None-Match / not-modified If-Modified-Since → `NotModified` (304). Dates at second precision.
 */
import { expect } from 'vitest';
import type { ObjectInfo, ReadConditions } from '@strata/storage';
import type { DeclareCase, GroupContext } from '../context.ts';
import { expectStorageError } from '../context.ts';

type Outcome = 200 | 304 | 412;
/** A case: conditions built from the object's etag and lastModified, and the expected outcome. */
interface ConditionCase {
  name: string;
  make: (info: ObjectInfo) => ReadConditions;
  expect: Outcome;
}

const HOUR = 3600_000;
const past = (i: ObjectInfo) => new Date(i.lastModified.getTime() - HOUR);
const future = (i: ObjectInfo) => new Date(i.lastModified.getTime() + HOUR);
const same = (i: ObjectInfo) => new Date(Math.floor(i.lastModified.getTime() / 1000) * 1000);
const OTHER = '0123456789abcdef0123456789abcdef';

const CASES: ConditionCase[] = [
  { name: 'If-Match current etag', make: (i) => ({ ifMatch: i.etag }), expect: 200 },
  { name: 'If-Match quoted etag', make: (i) => ({ ifMatch: `"${i.etag}"` }), expect: 200 },
  { name: 'If-Match *', make: () => ({ ifMatch: '*' }), expect: 200 },
  { name: 'If-Match list containing the etag', make: (i) => ({ ifMatch: `"${OTHER}", "${i.etag}"` }), expect: 200 },
  { name: 'If-Match other etag', make: () => ({ ifMatch: OTHER }), expect: 412 },
  { name: 'If-Unmodified-Since future', make: (i) => ({ ifUnmodifiedSince: future(i) }), expect: 200 },
  { name: 'If-Unmodified-Since same second', make: (i) => ({ ifUnmodifiedSince: same(i) }), expect: 200 },
  { name: 'If-Unmodified-Since past', make: (i) => ({ ifUnmodifiedSince: past(i) }), expect: 412 },
  { name: 'If-None-Match current etag', make: (i) => ({ ifNoneMatch: i.etag }), expect: 304 },
  { name: 'If-None-Match *', make: () => ({ ifNoneMatch: '*' }), expect: 304 },
  { name: 'If-None-Match other etag', make: () => ({ ifNoneMatch: OTHER }), expect: 200 },
  { name: 'If-Modified-Since past', make: (i) => ({ ifModifiedSince: past(i) }), expect: 200 },
  { name: 'If-Modified-Since same second', make: (i) => ({ ifModifiedSince: same(i) }), expect: 304 },
  { name: 'If-Modified-Since future', make: (i) => ({ ifModifiedSince: future(i) }), expect: 304 },
  { name: 'If-Match true + If-Unmodified-Since false (IUS ignored)', make: (i) => ({ ifMatch: i.etag, ifUnmodifiedSince: past(i) }), expect: 200 },
  { name: 'If-Match false + If-Unmodified-Since true', make: (i) => ({ ifMatch: OTHER, ifUnmodifiedSince: future(i) }), expect: 412 },
  { name: 'If-None-Match false + If-Modified-Since true (IMS ignored)', make: (i) => ({ ifNoneMatch: OTHER, ifModifiedSince: future(i) }), expect: 200 },
  { name: 'If-None-Match true + If-Modified-Since modified', make: (i) => ({ ifNoneMatch: i.etag, ifModifiedSince: past(i) }), expect: 304 },
  { name: 'If-Match true + If-None-Match true', make: (i) => ({ ifMatch: i.etag, ifNoneMatch: i.etag }), expect: 304 },
  { name: 'If-Match false + If-None-Match true (412 first)', make: (i) => ({ ifMatch: OTHER, ifNoneMatch: i.etag }), expect: 412 },
  { name: 'If-Unmodified-Since false + If-None-Match true (412 first)', make: (i) => ({ ifUnmodifiedSince: past(i), ifNoneMatch: i.etag }), expect: 412 },
  { name: 'If-Unmodified-Since false + If-Modified-Since false (412 first)', make: (i) => ({ ifUnmodifiedSince: past(i), ifModifiedSince: future(i) }), expect: 412 },
  { name: 'all four, If-Match and If-None-Match decide', make: (i) => ({ ifMatch: i.etag, ifUnmodifiedSince: past(i), ifNoneMatch: OTHER, ifModifiedSince: future(i) }), expect: 200 },
];

/** Declares the conditional read cases, once for get and once for head. */
export function readConditionCases(it: DeclareCase, ctx: GroupContext): void {
  let info: ObjectInfo | undefined;
  const object = async () => {
    info ??= await ctx.storage.put(`${ctx.prefix('cond')}obj`, 'conditional');
    return info;
  };
  for (const op of ['get', 'head'] as const) {
    for (const c of CASES) {
      it(`${op}: ${c.name} → ${c.expect}`, async () => {
        const i = await object();
        const conditions = c.make(i);
        const call = op === 'get' ? ctx.storage.get(i.key, conditions).then((g) => (g.body.resume(), g.info)) : ctx.storage.head(i.key, conditions);
        if (c.expect === 200) expect((await call).etag).toBe(i.etag);
        else await expectStorageError(call, { code: c.expect === 304 ? 'NotModified' : 'PreconditionFailed', op, key: i.key });
      });
    }
  }
  it('conditions on a missing key give NotFound', async () => {
    const key = `${ctx.prefix('cond-missing')}x`;
    await expectStorageError(ctx.storage.get(key, { ifMatch: '*' }), { code: 'NotFound' });
    await expectStorageError(ctx.storage.head(key, { ifNoneMatch: OTHER }), { code: 'NotFound' });
  });
}
