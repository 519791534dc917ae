/**
 * ListBuckets — https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html
 *
 * The buckets created through S3 and those found in the storage: over a file store, every top-level directory
 * with a valid bucket name that holds a file, including ones other programs made since the last listing
 * (bucket-registry.ts records them here).
 */
import type { Handler } from '../context.ts';
import { ownerXml } from './owner.ts';

/** Lists every bucket with its creation date (a found bucket's: when the registry first saw it). */
export const listBuckets: Handler = async (ctx) => {
  const buckets = await ctx.state.buckets.list();
  return {
    xml: {
      root: 'ListAllMyBucketsResult',
      body: {
        Owner: ownerXml(ctx.state.owner),
        Buckets: { Bucket: buckets.map((b) => ({ Name: b.name, CreationDate: b.created, BucketRegion: b.region })) },
      },
    },
  };
};
