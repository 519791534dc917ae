/**
 * Users for the console's tests, made through the server's own IAM query API (`POST /`, a form body, signed
 * with SigV4 for the service `iam` as the AWS SDKs sign it: the body's SHA-256 is signed, not sent as a header;
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html). The signer is written out here
 * with node:crypto so the test needs nothing beyond the packages the console already has.
 */
import { createHash, createHmac } from 'node:crypto';
import { ACCESS_KEY, REGION, SECRET_KEY } from './console-server.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();

/** Signs and sends one IAM action as the server's root identity; returns the status and the XML answer. */
export async function iamCall(origin: string, params: Record<string, string>): Promise<{ status: number; body: string }> {
  const body = new URLSearchParams({ Version: '2010-05-08', ...params }).toString();
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${REGION}/iam/aws4_request`;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', host: new URL(origin).host, 'x-amz-date': amzDate };
  const names = Object.keys(headers).sort();
  const canonical = ['POST', '/', '', ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'), sha256(body)].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = ['iam', 'aws4_request'].reduce((k, part) => hmac(k, part), hmac(hmac(`AWS4${SECRET_KEY}`, day), REGION));
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  const authorization = `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  const { host: _host, ...sent } = headers;
  const res = await fetch(`${origin}/`, { method: 'POST', headers: { ...sent, authorization }, body });
  return { status: res.status, body: await res.text() };
}

const field = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

/** Creates a user with one access key and an inline policy; returns the key. */
export async function createUser(origin: string, name: string, policy: object): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const made = await iamCall(origin, { Action: 'CreateUser', UserName: name });
  if (made.status !== 200) throw new Error(`CreateUser ${name}: ${made.body}`);
  const key = await iamCall(origin, { Action: 'CreateAccessKey', UserName: name });
  if (key.status !== 200) throw new Error(`CreateAccessKey ${name}: ${key.body}`);
  const put = await iamCall(origin, { Action: 'PutUserPolicy', UserName: name, PolicyName: 'console-test', PolicyDocument: JSON.stringify(policy) });
  if (put.status !== 200) throw new Error(`PutUserPolicy ${name}: ${put.body}`);
  const accessKeyId = field(key.body, 'AccessKeyId');
  const secretAccessKey = field(key.body, 'SecretAccessKey');
  if (!accessKeyId || !secretAccessKey) throw new Error(`CreateAccessKey ${name}: no key in ${key.body}`);
  return { accessKeyId, secretAccessKey };
}
