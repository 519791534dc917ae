/**
 * Bucket actions: ListBuckets, CreateBucket, DeleteBucket
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html, …/API_CreateBucket.html,
 * …/API_DeleteBucket.html).
 */
import { CreateBucketCommand, DeleteBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';

/** A bucket as the list shows it. */
export interface BucketEntry {
  name: string;
  created: Date | undefined;
}

/** Every bucket of the signed-in owner, by name. ListBuckets pages past 10,000 buckets; the loop follows it. */
export async function listBuckets(client: S3Client): Promise<BucketEntry[]> {
  const buckets: BucketEntry[] = [];
  let token: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const out = await client.send(new ListBucketsCommand({ ContinuationToken: token }));
    for (const b of out.Buckets ?? []) if (b.Name) buckets.push({ name: b.Name, created: b.CreationDate });
    token = out.ContinuationToken;
    if (!token) break;
  }
  return buckets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Creates a bucket. */
export async function createBucket(client: S3Client, name: string): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: name }));
}

/** Deletes an empty bucket (S3 refuses a bucket with objects: BucketNotEmpty). */
export async function deleteBucket(client: S3Client, name: string): Promise<void> {
  await client.send(new DeleteBucketCommand({ Bucket: name }));
}
