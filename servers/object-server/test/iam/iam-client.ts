/**
 * A minimal IAM query client for tests: `POST /` with a form body, signed by the AWS SDK's SigV4 signer for the
 * service `iam` exactly as botocore signs it (the body hash is signed but not sent as a header), over a real
 * socket. Plus helpers that create a user with a key and an inline policy through it.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import type { S3Client } from '@aws-sdk/client-s3';
import { ACCESS_KEY, REGION, SECRET_KEY } from '../helpers.ts';

/** An IAM answer: status and XML text. */
export interface IamAnswer {
  status: number;
  body: string;
}

/** Signs and sends one IAM action as `credentials` (the root identity by default). */
export async function iamCall(
  endpoint: string,
  client: S3Client,
  params: Record<string, string>,
  credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
): Promise<IamAnswer> {
  const url = new URL(endpoint);
  const body = new URLSearchParams({ Version: '2010-05-08', ...params }).toString();
  const signer = new SignatureV4({ credentials, region: REGION, service: 'iam', sha256: client.config.sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });
  const res = await fetch(`${endpoint}/`, { method: 'POST', headers: signed.headers as Record<string, string>, body });
  return { status: res.status, body: await res.text() };
}

/** The text of the first `<name>` element of an IAM answer. */
export function field(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

/** Creates a user with one access key and (optionally) an inline policy; returns the key. */
export async function createUser(endpoint: string, client: S3Client, name: string, policy?: object): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const made = await iamCall(endpoint, client, { Action: 'CreateUser', UserName: name });
  if (made.status !== 200) throw new Error(`CreateUser ${name}: ${made.body}`);
  const key = await iamCall(endpoint, client, { Action: 'CreateAccessKey', UserName: name });
  if (key.status !== 200) throw new Error(`CreateAccessKey ${name}: ${key.body}`);
  if (policy !== undefined) {
    const put = await iamCall(endpoint, client, { Action: 'PutUserPolicy', UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) });
    if (put.status !== 200) throw new Error(`PutUserPolicy ${name}: ${put.body}`);
  }
  return { accessKeyId: field(key.body, 'AccessKeyId') as string, secretAccessKey: field(key.body, 'SecretAccessKey') as string };
}
