/**
 * listMultipartUploads: ListMultipartUploads
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html), one page, keys under the
 * adapter's prefix, with S3's `prefix`, `delimiter`, `key-marker`, `upload-id-marker` and `max-uploads`.
 *
 * The `delimiter` is applied here, not sent: Ceph RGW 16 answers a delimited request with the uploads whose
 * keys hold no delimiter and no CommonPrefixes at all, so the uploads under a would-be prefix vanish and
 * nothing in the answer tells. Uploads are listed without it and grouped as S3 groups them: each common prefix
 * counts once against the limit, and the uploads under a prefix already on the page are skipped, across raw
 * pages too, so the next page (which resumes after the last upload consumed) never repeats a prefix. The cost
 * is the uploads under a prefix travelling over the wire; in-progress uploads are few.
 *
 * A `key-marker` without an `upload-id-marker` lists only keys after it (S3); RGW 16 lists the marker key's own
 * uploads too, so those are dropped here.
 */
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import type { ListMultipartUploadsCommandOutput, MultipartUpload as S3Upload } from '@aws-sdk/client-s3';
import { compareKeys } from '@strata/storage';
import type { ListUploadsOptions, ListUploadsResult } from '@strata/storage';
import type { S3Core } from './core.ts';
import { decodeListedKey } from './metadata-codec.ts';

/** One page as the endpoint listed it (no delimiter), keys decoded but still with the adapter's prefix. */
interface RawPage {
  uploads: { key: string; uploadId: string; initiated: Date }[];
  next?: { keyMarker: string; uploadIdMarker?: string };
}

async function rawPage(core: S3Core, options: ListUploadsOptions, limit: number | undefined): Promise<RawPage> {
  const out = await core.send<ListMultipartUploadsCommandOutput>(
    new ListMultipartUploadsCommand({
      Bucket: core.bucket,
      Prefix: core.prefix + (options.prefix ?? ''),
      KeyMarker: options.keyMarker === undefined ? undefined : core.s3Key(options.keyMarker),
      UploadIdMarker: options.uploadIdMarker,
      MaxUploads: limit,
      EncodingType: 'url',
    }),
    { op: 'listMultipartUploads', signal: options.signal },
  );
  const enc = out.EncodingType === 'url';
  const after = options.keyMarker !== undefined && options.uploadIdMarker === undefined ? core.s3Key(options.keyMarker) : undefined;
  const page: RawPage = {
    uploads: (out.Uploads ?? [])
      .map((u: S3Upload) => ({ key: decodeListedKey(u.Key ?? '', enc), uploadId: u.UploadId ?? '', initiated: u.Initiated ?? new Date(0) }))
      .filter((u) => u.key !== after),
  };
  if (out.IsTruncated === true && out.NextKeyMarker !== undefined) {
    page.next = { keyMarker: decodeListedKey(out.NextKeyMarker, enc), ...(out.NextUploadIdMarker === undefined ? {} : { uploadIdMarker: out.NextUploadIdMarker }) };
  }
  return page;
}

/** One page of the contract's upload listing (see the module doc). */
export async function listUploads(core: S3Core, options: ListUploadsOptions): Promise<ListUploadsResult> {
  const delimiter = options.delimiter === '' ? undefined : options.delimiter;
  if (delimiter !== undefined) return groupUploads(core, options, delimiter, core.prefix.length + (options.prefix ?? '').length);
  const page = await rawPage(core, options, options.limit);
  const result: ListUploadsResult = {
    uploads: page.uploads.map((u) => ({ ...u, key: core.contractKey(u.key) })),
    prefixes: [],
  };
  if (page.next !== undefined) {
    result.nextKeyMarker = core.contractKey(page.next.keyMarker);
    if (page.next.uploadIdMarker !== undefined) result.nextUploadIdMarker = page.next.uploadIdMarker;
  }
  return result;
}

/** The page S3 would give with the delimiter, built from pages listed without it (see the module doc). */
async function groupUploads(core: S3Core, options: ListUploadsOptions, delimiter: string, from: number): Promise<ListUploadsResult> {
  const limit = options.limit ?? 1000;
  const result: ListUploadsResult = { uploads: [], prefixes: [] };
  let markers: Pick<ListUploadsOptions, 'keyMarker' | 'uploadIdMarker'> = { keyMarker: options.keyMarker, uploadIdMarker: options.uploadIdMarker };
  let last: { key: string; uploadId: string } | undefined;
  for (;;) {
    const page = await rawPage(core, { ...options, ...markers }, undefined);
    for (const u of page.uploads) {
      const at = u.key.indexOf(delimiter, from);
      const common = at >= 0 ? core.contractKey(u.key.slice(0, at + delimiter.length)) : undefined;
      // A prefix already on this page, or at or before the caller's key-marker (a marker naming a prefix resumes
      // past it, as in S3), is not listed again.
      const listed = common !== undefined && (common === result.prefixes.at(-1) || (options.keyMarker !== undefined && compareKeys(common, options.keyMarker) <= 0));
      if (!listed) {
        if (result.uploads.length + result.prefixes.length === limit) {
          // Full: resume after the last upload consumed (those under the page's last prefix included).
          if (last !== undefined) Object.assign(result, { nextKeyMarker: core.contractKey(last.key), nextUploadIdMarker: last.uploadId });
          return result;
        }
        if (common === undefined) result.uploads.push({ ...u, key: core.contractKey(u.key) });
        else result.prefixes.push(common);
      }
      last = u;
    }
    if (page.next === undefined) return result;
    markers = { keyMarker: core.contractKey(page.next.keyMarker), uploadIdMarker: page.next.uploadIdMarker };
  }
}
