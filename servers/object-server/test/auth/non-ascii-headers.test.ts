/**
 * Non-ASCII header values verify however the client put them on the wire, and user metadata comes back the
 * way S3 returns it.
 *
 * What the clients do with a value such as `café 日本`:
 * - botocore (boto3, aws CLI) and Go clients send the UTF-8 bytes and sign those same bytes;
 * - the AWS SDK for JavaScript v3 signs the UTF-8 of its string, but what goes on the wire depends on Node:
 *   header strings are written as Latin-1, one byte per character (`é` as the single byte E9 while C3 A9 was
 *   signed), except when Node sends them in one write with a string body, then as UTF-8; a character above
 *   U+00FF makes Node refuse the request before it is sent.
 * Node hands the server header values decoded as Latin-1, so the canonical request is tried both ways: the
 * bytes as received, and the UTF-8 of their Latin-1 reading.
 *
 * S3 returns a metadata value holding non-US-ASCII characters as an RFC 2047 encoded-word,
 * `=?UTF-8?B?<base64 of the UTF-8>?=`, and an all-ASCII value as is ("User-defined object metadata",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html).
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_KEY, REGION, SECRET_KEY, startServer } from '../helpers.ts';
import type { TestServer } from '../helpers.ts';
import { sdkSigner, send, utf8OnTheWire, xmlField } from './wire.ts';

let server: TestServer;
let s3: S3Client;
const Bucket = 'unicode';
const encodedWord = (text: string) => `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;

beforeAll(async () => {
  server = await startServer();
  s3 = server.client();
  await s3.send(new CreateBucketCommand({ Bucket }));
});
afterAll(async () => server?.close());

describe('UTF-8 bytes on the wire, signed as those bytes (botocore, Go)', () => {
  const values = ['café 日本', 'voilà', 'Zoë  🙂  end', 'Ã©'];
  it.each(values)('%j verifies, is stored as the text and returned as an encoded-word', async (text) => {
    const signer = await sdkSigner(s3);
    const Key = `raw-${Buffer.from(text).toString('hex')}`;
    const signed = await signer.sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: server.port,
      path: `/${Bucket}/${Key}`,
      query: {},
      headers: { host: `127.0.0.1:${server.port}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-meta-note': text },
    });
    const headers = { ...(signed.headers as Record<string, string>), 'x-amz-meta-note': utf8OnTheWire(text) };
    const res = await send(server.port, { method: 'PUT', path: `/${Bucket}/${Key}`, headers, body: 'x' });
    expect(res.status, xmlField(res.text, 'CanonicalRequest')).toBe(200);
    expect((await server.storage.head(`${Bucket}/${Key}`)).userMetadata).toEqual({ note: text });
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key }));
    expect(head.Metadata).toEqual({ note: encodedWord(text) });
  });

  it('a changed byte still fails the signature', async () => {
    const signer = await sdkSigner(s3);
    const signed = await signer.sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: server.port,
      path: `/${Bucket}/tampered`,
      query: {},
      headers: { host: `127.0.0.1:${server.port}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-meta-note': 'café' },
    });
    const headers = { ...(signed.headers as Record<string, string>), 'x-amz-meta-note': utf8OnTheWire('cafè') };
    const res = await send(server.port, { method: 'PUT', path: `/${Bucket}/tampered`, headers, body: 'x' });
    expect(xmlField(res.text, 'Code')).toBe('SignatureDoesNotMatch');
    await expect(server.storage.head(`${Bucket}/tampered`)).rejects.toMatchObject({ code: 'NotFound' });
  });
});

describe('the AWS SDK for JavaScript v3', () => {
  // A string body goes out in one write with the headers, as UTF-8; a Buffer body after them, headers as Latin-1.
  it.each([
    ['string', 'x'],
    ['Buffer', Buffer.from('x')],
  ])('Latin-1 metadata with a %s body verifies and comes back as an encoded-word', async (_kind, Body) => {
    const Key = `sdk-${typeof Body}`;
    await s3.send(new PutObjectCommand({ Bucket, Key, Body, Metadata: { note: 'café à la crème', plain: 'ascii only' } }));
    expect((await server.storage.head(`${Bucket}/${Key}`)).userMetadata).toEqual({ note: 'café à la crème', plain: 'ascii only' });
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key }));
    expect(head.Metadata).toEqual({ note: encodedWord('café à la crème'), plain: 'ascii only' });
  });

  it('refuses, before sending, a header character Latin-1 cannot carry', async () => {
    const error = await s3.send(new PutObjectCommand({ Bucket, Key: 'cjk', Body: 'x', Metadata: { note: '日本' } })).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_INVALID_CHAR' });
  });
});

// The first interpreter that imports boto3 (the machine's own, or Debian's python3-boto3 that CI installs).
const python = [process.env.STRATA_PYTHON ?? 'python3', '/usr/bin/python3'].find((bin) => {
  try {
    execFileSync(bin, ['-c', 'import boto3'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

// botocore refuses non-ASCII `Metadata` parameters client-side (handlers.validate_ascii_metadata); the script
// lifts that check to send what a raw botocore request sends. Content-Disposition has no such check.
const BOTO3 = String.raw`
import json, sys, boto3, botocore.handlers
endpoint, key, secret, region = sys.argv[1:5]
s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=key, aws_secret_access_key=secret, region_name=region)
s3.meta.events.unregister("before-parameter-build.s3.PutObject", botocore.handlers.validate_ascii_metadata)
s3.put_object(Bucket="unicode", Key="boto3", Body=b"x", Metadata={"note": "caf\u00e9 \u65e5\u672c", "plain": "ascii"}, ContentDisposition="attachment; filename=\"r\u00e9sum\u00e9.txt\"")
head = s3.head_object(Bucket="unicode", Key="boto3")
print(json.dumps({"metadata": head["Metadata"]}))
`;

describe.skipIf(python === undefined)('boto3', () => {
  it('non-ASCII metadata and Content-Disposition verify; metadata comes back as an encoded-word', async () => {
    // Asynchronous: the server answers from this process's event loop.
    const { stdout } = await promisify(execFile)(python as string, ['-c', BOTO3, server.endpoint, ACCESS_KEY, SECRET_KEY, REGION], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true' },
    });
    expect(JSON.parse(stdout)).toEqual({ metadata: { note: encodedWord('café 日本'), plain: 'ascii' } });
    const info = await server.storage.head(`${Bucket}/boto3`);
    expect([info.userMetadata, info.contentDisposition]).toEqual([{ note: 'café 日本', plain: 'ascii' }, 'attachment; filename="résumé.txt"']);
  });
});
