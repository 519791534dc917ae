/**
 * The LifecycleConfiguration document of PutBucketLifecycleConfiguration and GetBucketLifecycleConfiguration
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRule.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRuleFilter.html).
 *
 * Each Rule has a Status and at least one action; its Filter holds one of Prefix, Tag, ObjectSizeGreaterThan,
 * ObjectSizeLessThan, or an And of several (the legacy rule-level Prefix is read as a prefix filter). Rule IDs
 * are unique, at most 255 characters, and generated when absent; at most 1000 rules. AbortIncompleteMultipartUpload
 * takes a prefix filter only (tags or object sizes are refused, as S3 refuses them). Storage-class
 * transitions are not supported (NotImplemented): there is one storage class.
 */
import { randomBytes } from 'node:crypto';
import { S3Error } from '../s3-errors.ts';
import { childText, children, parseXml } from '../xml.ts';
import type { ParsedXml, XmlObject } from '../xml.ts';
import type { LifecycleConfig, LifecycleFilter, LifecycleRule } from './lifecycle-config.ts';

const MAX_RULES = 1000;
const MAX_ID_CHARS = 255;

function invalid(message: string): S3Error {
  return new S3Error('InvalidArgument', message);
}

/** A non-negative (or, for `positive`, at least 1) whole number element. */
function wholeNumber(node: ParsedXml, name: string, positive: boolean): number | undefined {
  const text = childText(node, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || (positive && n < 1)) throw invalid(`'${name}' for ${name === 'Days' ? 'Expiration' : 'the rule'} action must be a positive integer`);
  return n;
}

function tagOf(node: ParsedXml): [string, string] {
  const key = childText(node, 'Key');
  if (key === undefined || key === '') throw new S3Error('MalformedXML');
  return [key, childText(node, 'Value') ?? ''];
}

function conditionCount(f: LifecycleFilter): number {
  return (f.prefix !== undefined ? 1 : 0) + Object.keys(f.tags ?? {}).length + (f.sizeGreaterThan !== undefined ? 1 : 0) + (f.sizeLessThan !== undefined ? 1 : 0);
}

function parseFilter(rule: ParsedXml): LifecycleFilter {
  const [filter] = children(rule, 'Filter');
  const legacyPrefix = childText(rule, 'Prefix');
  if (filter === undefined) return legacyPrefix ? { prefix: legacyPrefix } : {};
  if (legacyPrefix !== undefined) throw new S3Error('MalformedXML');
  const [and] = children(filter, 'And');
  const source = and ?? filter;
  const tags = children(source, 'Tag').map(tagOf);
  const out: LifecycleFilter = {};
  const prefix = childText(source, 'Prefix');
  if (prefix) out.prefix = prefix;
  if (tags.length > 0) out.tags = Object.fromEntries(tags);
  if (tags.length !== new Set(tags.map(([k]) => k)).size) throw invalid('Duplicate Tag Keys are not allowed.');
  const greater = wholeNumber(source, 'ObjectSizeGreaterThan', false);
  const less = wholeNumber(source, 'ObjectSizeLessThan', true);
  if (greater !== undefined) out.sizeGreaterThan = greater;
  if (less !== undefined) out.sizeLessThan = less;
  if (greater !== undefined && less !== undefined && less <= greater) throw invalid('ObjectSizeLessThan must be greater than ObjectSizeGreaterThan');
  // Without And, a Filter holds one condition (API_LifecycleRuleFilter).
  if (!and && conditionCount(out) > 1) throw new S3Error('MalformedXML');
  return out;
}

function parseRule(rule: ParsedXml): LifecycleRule {
  const id = childText(rule, 'ID') || randomBytes(24).toString('base64url');
  if (id.length > MAX_ID_CHARS) throw invalid('ID length should not exceed allowed limit of 255');
  const status = childText(rule, 'Status');
  if (status !== 'Enabled' && status !== 'Disabled') throw new S3Error('MalformedXML');
  if (children(rule, 'Transition').length > 0 || children(rule, 'NoncurrentVersionTransition').length > 0) {
    throw new S3Error('NotImplemented', 'Storage class transitions are not supported.');
  }
  const out: LifecycleRule = { id, enabled: status === 'Enabled', filter: parseFilter(rule) };
  const [exp] = children(rule, 'Expiration');
  if (exp !== undefined) {
    const days = wholeNumber(exp, 'Days', true);
    const date = childText(exp, 'Date');
    const marker = childText(exp, 'ExpiredObjectDeleteMarker');
    if ([days, date, marker].filter((v) => v !== undefined).length !== 1) throw new S3Error('MalformedXML');
    if (date !== undefined) {
      const at = Date.parse(date);
      if (Number.isNaN(at) || at % 86_400_000 !== 0) throw invalid("'Date' must be at midnight GMT");
      out.expiration = { date: new Date(at).toISOString() };
    } else if (days !== undefined) out.expiration = { days };
    else {
      if (marker !== 'true' && marker !== 'false') throw new S3Error('MalformedXML');
      if (marker === 'true' && out.filter.tags) throw invalid('ExpiredObjectDeleteMarker cannot be specified with object tags.');
      out.expiration = { expiredObjectDeleteMarker: marker === 'true' };
    }
  }
  const [nce] = children(rule, 'NoncurrentVersionExpiration');
  if (nce !== undefined) {
    const noncurrentDays = wholeNumber(nce, 'NoncurrentDays', true);
    if (noncurrentDays === undefined) throw new S3Error('MalformedXML');
    const newer = wholeNumber(nce, 'NewerNoncurrentVersions', true);
    if (newer !== undefined && newer > 100) throw invalid('NewerNoncurrentVersions must be between 1 and 100');
    out.noncurrentExpiration = { noncurrentDays, ...(newer !== undefined ? { newerNoncurrentVersions: newer } : {}) };
  }
  const [abort] = children(rule, 'AbortIncompleteMultipartUpload');
  if (abort !== undefined) {
    const days = wholeNumber(abort, 'DaysAfterInitiation', true);
    if (days === undefined) throw new S3Error('MalformedXML');
    // S3 aborts uploads by key prefix only: an upload has no tags or size yet, and S3 refuses such a rule.
    if (out.filter.tags) throw invalid('AbortIncompleteMultipartUpload cannot be specified with Tags.');
    if (out.filter.sizeGreaterThan !== undefined || out.filter.sizeLessThan !== undefined) {
      throw new S3Error('InvalidRequest', 'AbortIncompleteMultipartUpload cannot be specified with Object Size.');
    }
    out.abortIncompleteDays = days;
  }
  if (!out.expiration && !out.noncurrentExpiration && out.abortIncompleteDays === undefined) throw invalid('At least one action needs to be specified in a rule');
  return out;
}

/** Parses a LifecycleConfiguration body. */
export function parseLifecycle(body: string): LifecycleConfig {
  const doc = parseXml(body, 'LifecycleConfiguration');
  const rules = children(doc, 'Rule').map(parseRule);
  if (rules.length === 0) throw new S3Error('MalformedXML');
  if (rules.length > MAX_RULES) throw invalid('The number of lifecycle rules must not exceed the allowed limit of 1000 rules');
  if (new Set(rules.map((r) => r.id)).size !== rules.length) throw invalid('Rule ID must be unique. Found same ID for more than one rule');
  return { rules };
}

function filterXml(f: LifecycleFilter): XmlObject {
  const parts: XmlObject = {
    Prefix: f.prefix,
    Tag: f.tags ? Object.entries(f.tags).map(([Key, Value]) => ({ Key, Value })) : undefined,
    ObjectSizeGreaterThan: f.sizeGreaterThan,
    ObjectSizeLessThan: f.sizeLessThan,
  };
  const count = conditionCount(f);
  if (count === 0) return { Prefix: '' };
  return count === 1 ? parts : { And: parts };
}

/** The LifecycleConfiguration document of a stored configuration. */
export function lifecycleXml(config: LifecycleConfig): XmlObject {
  return {
    Rule: config.rules.map((r) => ({
      ID: r.id,
      Filter: filterXml(r.filter),
      Status: r.enabled ? 'Enabled' : 'Disabled',
      Expiration: r.expiration
        ? { Date: r.expiration.date, Days: r.expiration.days, ExpiredObjectDeleteMarker: r.expiration.expiredObjectDeleteMarker }
        : undefined,
      NoncurrentVersionExpiration: r.noncurrentExpiration
        ? { NoncurrentDays: r.noncurrentExpiration.noncurrentDays, NewerNoncurrentVersions: r.noncurrentExpiration.newerNoncurrentVersions }
        : undefined,
      AbortIncompleteMultipartUpload: r.abortIncompleteDays !== undefined ? { DaysAfterInitiation: r.abortIncompleteDays } : undefined,
    })),
  };
}
