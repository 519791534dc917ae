/**
 * HeadBucket — https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html
 *
 * The dispatcher has already answered NoSuchBucket (404, no body) for a missing bucket.
 */
import type { Handler } from '../context.ts';

/** Confirms a bucket exists and names its region. */
export const headBucket: Handler = async (ctx) => ({
  headers: { 'x-amz-bucket-region': ctx.state.region, 'x-amz-access-point-alias': 'false' },
});
