/**
 * HeadBucket — https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html
 *
 * The dispatcher has already answered NoSuchBucket (404, no body) for a missing bucket; a name the registry does
 * not know yet is looked up in the storage first, so a directory made by hand in the file store's root is a
 * bucket at once (bucket-registry.ts).
 */
import type { Handler } from '../context.ts';

/** Confirms a bucket exists and names its region. */
export const headBucket: Handler = async (ctx) => ({
  headers: { 'x-amz-bucket-region': ctx.state.region, 'x-amz-access-point-alias': 'false' },
});
