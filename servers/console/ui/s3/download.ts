/**
 * Downloads through a presigned GET link with a one-minute expiry and `response-content-disposition: attachment`
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, "Overriding response header values"), so
 * the browser streams the object to disk itself instead of the page holding it in memory.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { attachmentDisposition } from './share.ts';

/** Starts the browser's own download of an object (or of one version of it) through a one-minute presigned link. */
export async function download(client: S3Client, bucket: string, key: string, versionId?: string): Promise<void> {
  const command = new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentDisposition: attachmentDisposition(key), ...(versionId ? { VersionId: versionId } : {}) });
  const url = await getSignedUrl(client, command, {
    expiresIn: 60,
  });
  const link = document.createElement('a');
  link.href = url;
  link.download = '';
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
}
