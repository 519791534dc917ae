/**
 * The read conditions of get and head as S3 headers, with the precedence of RFC 9110 §13.2.2 (AWS GetObject:
 * If-Match, else If-Unmodified-Since → 412; then If-None-Match, else If-Modified-Since → 304) kept also where an
 * endpoint evaluates them differently. Measured on Ceph RGW 16, absorbed here for every endpoint:
 *
 * - `If-Match: *` and `If-Match` with a list of ETags fail with 412 even when they match. Both are evaluated
 *   here instead, on the ETag of the answer: `*` matches any object (a missing one answers 404 anyway), and a
 *   list is checked before the body is handed out (a mismatch destroys it and throws `PreconditionFailed`).
 *   If-Unmodified-Since is then not sent either: with an If-Match present it is ignored (RFC 9110 §13.1.4).
 * - With If-Unmodified-Since and If-Modified-Since both false, RGW answers 304 where the precedence gives 412,
 *   and its 304 carries neither ETag nor Last-Modified. A 304 to a request that also held a precondition the
 *   endpoint may have skipped is therefore checked again with one HeadObject, and becomes `PreconditionFailed`
 *   when that precondition fails. On AWS the second request never changes the answer (AWS answers 412 first).
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { checkReadConditions, hasErrorCode } from '@strata/storage';
import type { ObjectInfo, ReadConditions } from '@strata/storage';
import type { S3Core } from './core.ts';
import { quoteEtag, toObjectInfo } from './object-info.ts';

/** The SDK's conditional-read fields. */
export interface ConditionFields {
  IfMatch?: string;
  IfNoneMatch?: string;
  IfModifiedSince?: Date;
  IfUnmodifiedSince?: Date;
}

/** What to send, and the preconditions left to check here. */
export interface ReadConditionPlan {
  fields: ConditionFields;
  /** If-Match / If-Unmodified-Since to check on the answer (or on a 304), when not sent as they are. */
  local?: Pick<ReadConditions, 'ifMatch' | 'ifUnmodifiedSince'>;
}

const isSingleEtag = (v: string) => v !== '*' && !v.includes(',');

/**
 * The fields of `c` to send, only those set: every key of an input, even an undefined one, is copied and
 * visited by several SDK middlewares on each request.
 */
export function planReadConditions(c: ReadConditions): ReadConditionPlan {
  const fields: ConditionFields = {};
  const plan: ReadConditionPlan = { fields };
  if (c.ifMatch !== undefined) {
    if (isSingleEtag(c.ifMatch)) fields.IfMatch = quoteEtag(c.ifMatch);
    else if (c.ifMatch !== '*') plan.local = { ifMatch: c.ifMatch };
  } else if (c.ifUnmodifiedSince !== undefined) {
    fields.IfUnmodifiedSince = c.ifUnmodifiedSince;
    // Sent, but an endpoint that checks If-Modified-Since or If-None-Match first may answer 304 before it.
    if (c.ifModifiedSince !== undefined || c.ifNoneMatch !== undefined) plan.local = { ifUnmodifiedSince: c.ifUnmodifiedSince };
  }
  if (c.ifNoneMatch !== undefined) fields.IfNoneMatch = quoteEtag(c.ifNoneMatch);
  if (c.ifModifiedSince !== undefined) fields.IfModifiedSince = c.ifModifiedSince;
  return plan;
}

/**
 * Checks the plan's local preconditions against the answer; throws `PreconditionFailed` when one fails (the
 * caller releases the answer's body).
 */
export function checkAnswer(plan: ReadConditionPlan, answer: ObjectInfo, op: string): void {
  if (plan.local !== undefined) checkReadConditions(answer, plan.local, op);
}

/**
 * After a 304 (`NotModified`), whether a precondition the endpoint may not have evaluated first fails: one
 * HeadObject without conditions, checked here. Throws `PreconditionFailed` if so; otherwise rethrows `notModified`.
 */
export async function recheckNotModified(core: S3Core, key: string, plan: ReadConditionPlan, notModified: unknown, op: string, signal?: AbortSignal): Promise<never> {
  if (plan.local === undefined || !hasErrorCode(notModified, 'NotModified')) throw notModified;
  const out = await core.send<HeadObjectCommandOutput>(new HeadObjectCommand({ Bucket: core.bucket, Key: core.s3Key(key) }), { op, key, signal, date: false });
  const info = toObjectInfo(key, out, {});
  checkReadConditions(info, plan.local, op);
  throw notModified;
}
