/**
 * User metadata and tags on the wire.
 *
 * S3 user metadata travels as `x-amz-meta-*` HTTP headers, which carry US-ASCII only ("User-defined object
 * metadata", https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html: "when using the REST
 * API, user-defined metadata values must be US-ASCII"). The contract allows any Unicode value, so values that
 * a header cannot carry verbatim are sent as an RFC 2047 encoded-word, `=?UTF-8?B?<base64>?=` — the form AWS
 * documents for non-ASCII metadata and other SDKs decode — and decoded on read. An ASCII value that itself
 * looks like an encoded-word is encoded too, so every value round-trips exactly.
 *
 * Tags travel in `x-amz-tagging` as a URL query string (AWS PutObject, "x-amz-tagging").
 */

const ENCODED_WORD = /^=\?utf-8\?([bq])\?([^?]*)\?=$/i;

/** True when a header can carry `value` verbatim: visible ASCII and inner spaces, no edge whitespace. */
function headerSafe(value: string): boolean {
  return /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(value) && !ENCODED_WORD.test(value);
}

/** Encodes one metadata value for an `x-amz-meta-*` header. */
export function encodeMetadataValue(value: string): string {
  if (value === '' || headerSafe(value)) return value;
  return `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/**
 * Encodes a standard header value (Content-Disposition, Cache-Control, …) only when HTTP cannot carry it:
 * non-ASCII or control characters (Node sends such bytes as Latin-1 while SigV4 signs UTF-8, so the request
 * would fail signing), or a value that looks like an encoded-word itself.
 */
export function encodeHeaderValue(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value) && !ENCODED_WORD.test(value)) return value;
  return `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** Decodes a value written by {@link encodeMetadataValue} (or by another SDK, B or Q encoding). */
export function decodeMetadataValue(value: string): string {
  const m = ENCODED_WORD.exec(value);
  if (m === null) return value;
  const [, kind, text = ''] = m;
  if (kind?.toLowerCase() === 'b') return Buffer.from(text, 'base64').toString('utf8');
  // RFC 2047 §4.2: "_" is a space, "=XX" a byte.
  const bytes = text.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_s, hex: string) => `%${hex}`);
  try {
    return decodeURIComponent(bytes);
  } catch {
    return value;
  }
}

/** Encodes user metadata for the SDK's `Metadata` field (names lower-cased, as S3 stores them). */
export function encodeMetadata(meta: Record<string, string> | undefined): Record<string, string> | undefined {
  if (meta === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) out[k.toLowerCase()] = encodeMetadataValue(v);
  return out;
}

/** Decodes the SDK's `Metadata` field into the contract's `userMetadata`. */
export function decodeMetadata(meta: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta ?? {})) out[k.toLowerCase()] = decodeMetadataValue(v);
  return out;
}

/**
 * Encodes tags for `x-amz-tagging`. `encodeURIComponent` (not URLSearchParams) so a space is `%20`, which
 * every server decodes, where `+` is read as a plus by some.
 */
export function encodeTagging(tags: Record<string, string> | undefined): string | undefined {
  if (tags === undefined || Object.keys(tags).length === 0) return undefined;
  return Object.entries(tags)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

/** Turns an SDK `TagSet` into the contract's tags record. */
export function tagSetToRecord(tagSet: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tagSet ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

/** Turns the contract's tags into an SDK `TagSet`. */
export function recordToTagSet(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/**
 * Decodes a key from a listing made with `encoding-type=url` (AWS ListObjectsV2, "EncodingType"): S3
 * form-encodes, so `+` is a space and a literal plus arrives as `%2B`.
 */
export function decodeListedKey(value: string, encoded: boolean): string {
  if (!encoded) return value;
  return decodeURIComponent(value.replace(/\+/g, ' '));
}
