/**
 * ListObjects (v1, v2) of a versioned bucket report each current object with its version's ETag. Listings
 * read the plain mirror of each key's current version (version-store), and the mirror of a version completed
 * from a multipart upload is a copy, whose ETag is the MD5 of its bytes — not the completion's
 * `md5-of-part-md5s-N` that CompleteMultipartUpload, HeadObject and ListObjectVersions answer and that S3
 * lists ("Object", ETag: https://docs.aws.amazon.com/AmazonS3/latest/API/API_Object.html). Sync clients
 * (rclone, `aws s3 sync`) compare the listed ETag with HeadObject's, so the two must agree.
 *
 * The version index holds the completion's ETag, but reading it costs a read per item; so buckets where a
 * multipart upload was completed are marked (bucket-marks.ts) — also while unversioned: once versioning is
 * enabled, the first versioned change of such a key keeps the object as a copy too — and only listings of
 * marked buckets with versioning read the items' indexes. Other listings cost one cached look-up at most.
 */
import type { ListItem } from '@strata/storage';
import type { S3Context } from '../context.ts';
import { versionEtag } from './versioned-object.ts';

/** Items looked up at once. */
const LOOKUPS_AT_ONCE = 8;

/** `items` (bucket-relative keys) with the ETag of each one's current version, where its mirror carries another. */
export async function withVersionEtags(ctx: S3Context, bucket: string, items: ListItem[]): Promise<ListItem[]> {
  const { versioning } = ctx.state;
  if (items.length === 0 || versioning.peek(bucket) === null || !(await versioning.multipartBuckets.mayHold(bucket))) return items;
  const store = versioning.store(bucket);
  const out = [...items];
  for (let i = 0; i < out.length; i += LOOKUPS_AT_ONCE) {
    await Promise.all(
      out.slice(i, i + LOOKUPS_AT_ONCE).map(async (item, j) => {
        const current = (await store.readIndex(item.key, { signal: ctx.signal }))?.versions[0];
        // The same size: the mirror is this version's (not one written since the listing read it).
        const etag = current !== undefined && current.marker !== true && current.size === item.size ? versionEtag(current) : undefined;
        if (etag !== undefined) out[i + j] = { ...item, etag };
      }),
    );
  }
  return out;
}
