/**
 * Object tags: the `x-amz-tagging` header (a URL-encoded query string) and the Tagging XML document, with S3's
 * limits (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html): at most 10 tags per
 * object, keys of 1..128 and values of 0..256 Unicode characters, keys unique.
 */
import { OBJECT_ACL_TAG } from './iam/acl-store.ts';
import { S3Error } from './s3-errors.ts';
import { childText, children, parseXml } from './xml.ts';
import type { XmlObject } from './xml.ts';

const MAX_TAGS = 10;

/** Throws `InvalidTag` unless `tags` respects S3's limits. */
export function validateTags(tags: Record<string, string>): Record<string, string> {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) throw new S3Error('InvalidTag', 'Object tags cannot be greater than 10');
  for (const [k, v] of entries) {
    if ([...k].length < 1 || [...k].length > 128) throw new S3Error('InvalidTag', 'The TagKey you have provided is invalid');
    if ([...v].length > 256) throw new S3Error('InvalidTag', 'The TagValue you have provided is invalid');
    // The server keeps an object's ACL under this name (iam/acl-store.ts): a client tag must not forge one.
    if (k === OBJECT_ACL_TAG) throw new S3Error('InvalidTag', `Your TagKey cannot be ${OBJECT_ACL_TAG}`);
  }
  return tags;
}

/** Parses `k1=v1&k2=v2` (the `x-amz-tagging` header); a repeated key is invalid. */
export function parseTagQuery(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(value);
  } catch (cause) {
    throw new S3Error('InvalidArgument', 'The header x-amz-tagging is not a valid query string', { cause });
  }
  for (const [k, v] of params) {
    if (Object.hasOwn(out, k)) throw new S3Error('InvalidTag', 'Cannot provide multiple Tags with the same key');
    out[k] = v;
  }
  return validateTags(out);
}

/** Parses a `<Tagging><TagSet><Tag><Key/><Value/></Tag>…` body. */
export function parseTaggingXml(body: string): Record<string, string> {
  const root = parseXml(body, 'Tagging');
  const [tagSet] = children(root, 'TagSet');
  const out: Record<string, string> = {};
  for (const tag of children(tagSet, 'Tag')) {
    const key = childText(tag, 'Key');
    const value = childText(tag, 'Value') ?? '';
    if (key === undefined) throw new S3Error('MalformedXML', 'A Tag needs a Key');
    if (Object.hasOwn(out, key)) throw new S3Error('InvalidTag', 'Cannot provide multiple Tags with the same key');
    out[key] = value;
  }
  return validateTags(out);
}

/** The TagSet element of a Tagging document. */
export function tagSetXml(tags: Record<string, string>): XmlObject {
  return { TagSet: { Tag: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } };
}
