/**
 * The pure parts of the work-arounds for endpoints that depart from AWS (measured on Ceph RGW 16; end to end in
 * test/ceph): the form of a write's If-Match, the refusal of conditions CompleteMultipartUpload would ignore, and
 * which read conditions are sent and which are checked on the answer (RFC 9110 §13.2.2 precedence).
 */
import { describe, expect, it } from 'vitest';
import { AWS_DIALECT } from '../src/index.ts';
import { requireConditionalComplete, writeIfMatch } from '../src/dialect.ts';
import { planReadConditions } from '../src/read-conditions.ts';

const ETAG = '5d41402abc4b2a76b9719d911017c592';
const RGW = { writeIfMatch: 'bare', conditionalComplete: false, conditionalCopy: false } as const;

describe('writeIfMatch', () => {
  it('quotes the ETag for AWS and sends it bare where the endpoint compares the raw text', () => {
    expect(writeIfMatch(ETAG, AWS_DIALECT)).toBe(`"${ETAG}"`);
    expect(writeIfMatch(`"${ETAG}"`, AWS_DIALECT)).toBe(`"${ETAG}"`);
    expect(writeIfMatch(`"${ETAG}"`, RGW)).toBe(ETAG);
    expect(writeIfMatch('*', RGW)).toBe('*');
  });
});

describe('requireConditionalComplete', () => {
  it('refuses a conditional multipart write only where the endpoint ignores the conditions', () => {
    expect(() => requireConditionalComplete({ ifNoneMatch: '*' }, RGW, 'put', 'k')).toThrow(expect.objectContaining({ code: 'Unsupported', op: 'put', key: 'k' }));
    expect(() => requireConditionalComplete({ ifMatch: ETAG }, RGW, 'completeMultipart', 'k')).toThrow(expect.objectContaining({ code: 'Unsupported' }));
    expect(() => requireConditionalComplete({}, RGW, 'put', 'k')).not.toThrow();
    expect(() => requireConditionalComplete({ ifNoneMatch: '*' }, AWS_DIALECT, 'put', 'k')).not.toThrow();
  });
});

describe('planReadConditions', () => {
  const date = new Date('2026-01-01T00:00:00Z');
  it('sends a single If-Match quoted and leaves nothing to check', () => {
    expect(planReadConditions({ ifMatch: ETAG })).toEqual({ fields: { IfMatch: `"${ETAG}"` } });
  });
  it('sends neither If-Match: * nor If-Unmodified-Since beside it (ignored by RFC 9110 when If-Match is present)', () => {
    expect(planReadConditions({ ifMatch: '*', ifUnmodifiedSince: date })).toEqual({ fields: {} });
  });
  it('checks an If-Match list on the answer instead of sending it', () => {
    const list = `"0123", "${ETAG}"`;
    expect(planReadConditions({ ifMatch: list, ifNoneMatch: 'x' })).toEqual({ fields: { IfNoneMatch: '"x"' }, local: { ifMatch: list } });
  });
  it('sends If-Unmodified-Since, and keeps it to check again after a 304 when a 304 condition is sent too', () => {
    expect(planReadConditions({ ifUnmodifiedSince: date })).toEqual({ fields: { IfUnmodifiedSince: date } });
    expect(planReadConditions({ ifUnmodifiedSince: date, ifModifiedSince: date })).toEqual({
      fields: { IfUnmodifiedSince: date, IfModifiedSince: date },
      local: { ifUnmodifiedSince: date },
    });
  });
});
