/**
 * ListBuckets — https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html
 */
import type { Handler } from '../context.ts';
import { ownerXml } from './owner.ts';

/** Lists every bucket with its creation date. */
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
