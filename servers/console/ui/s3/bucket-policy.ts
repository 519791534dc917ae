/**
 * A bucket's policy (PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html). The document is JSON sent as the
 * request body as typed; the server judges it and answers MalformedPolicy with its reason, which the form
 * shows. The form checks only the JSON syntax itself, to point at the line before a round trip.
 */
import { DeleteBucketPolicyCommand, GetBucketPolicyCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { absentAs } from './settings-common.ts';

/**
 * A policy letting anyone read the bucket's objects (s3:GetObject on `arn:aws:s3:::bucket/*`), as in "Granting
 * read-only permission to a public anonymous user",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html.
 */
export function publicReadPolicy(bucket: string): string {
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }],
  };
  return JSON.stringify(policy, null, 2);
}

/** Why `text` is not JSON (the parser's own message, with its position), or undefined. */
export function jsonProblem(text: string): string | undefined {
  if (text.trim() === '') return 'The policy is empty: type one, use a template, or delete the policy.';
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    return `Not JSON: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** The PutBucketPolicy command of a document. */
export const putPolicyCommand = (bucket: string, policy: string) => new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy });

/** A bucket's policy document; none (NoSuchBucketPolicy) is the empty string. */
export async function getPolicy(client: S3Client, bucket: string): Promise<string> {
  return absentAs(client.send(new GetBucketPolicyCommand({ Bucket: bucket })).then((o) => o.Policy ?? ''), 'NoSuchBucketPolicy', '');
}

/** Replaces a bucket's policy. */
export async function putPolicy(client: S3Client, bucket: string, policy: string): Promise<void> {
  await client.send(putPolicyCommand(bucket, policy));
}

/** Removes a bucket's policy. */
export async function deletePolicy(client: S3Client, bucket: string): Promise<void> {
  await client.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
}
