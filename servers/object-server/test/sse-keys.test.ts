/**
 * The parts of server-side encryption that need no server: customer-key headers as S3 checks them
 * ("Specifying server-side encryption with customer-provided keys (SSE-C)",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html), the master key's
 * forms and sources, and key wrapping.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parseServeArgs } from '../src/cli.ts';
import { serve } from '../src/main.ts';
import { loadMasterKey, parseMasterKey, unwrapKey, wrapKey } from '../src/encryption/key-wrap.ts';
import { customerKeyFrom, sseRequestFrom } from '../src/encryption/sse-request.ts';

const key = randomBytes(32);
const md5 = (b: Buffer) => createHash('md5').update(b).digest('base64');
const ssec = { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key': key.toString('base64'), 'x-amz-server-side-encryption-customer-key-md5': md5(key) };
const headersOf = (h: Record<string, string>) => ({ headers: h });

describe('SSE request headers', () => {
  it('reads SSE-S3 and SSE-C', () => {
    expect(sseRequestFrom(headersOf({ 'x-amz-server-side-encryption': 'AES256' }))).toEqual({ mode: 'S3' });
    expect(sseRequestFrom(headersOf(ssec))).toEqual({ mode: 'C', key, keyMd5: md5(key) });
    expect(sseRequestFrom(headersOf({}))).toBeUndefined();
  });

  it.each([
    ['an MD5 of another key', { ...ssec, 'x-amz-server-side-encryption-customer-key-md5': md5(randomBytes(32)) }, 'InvalidArgument'],
    ['a 16-byte key', { ...ssec, 'x-amz-server-side-encryption-customer-key': randomBytes(16).toString('base64') }, 'InvalidArgument'],
    ['no key MD5', { ...ssec, 'x-amz-server-side-encryption-customer-key-md5': undefined }, 'InvalidArgument'],
    ['no algorithm', { ...ssec, 'x-amz-server-side-encryption-customer-algorithm': undefined }, 'InvalidArgument'],
    ['another algorithm', { ...ssec, 'x-amz-server-side-encryption-customer-algorithm': 'AES128' }, 'InvalidEncryptionAlgorithmError'],
    ['SSE-C with SSE-S3', { ...ssec, 'x-amz-server-side-encryption': 'AES256' }, 'InvalidArgument'],
    ['an unknown SSE method', { 'x-amz-server-side-encryption': 'rot13' }, 'InvalidArgument'],
    ['SSE-KMS', { 'x-amz-server-side-encryption': 'aws:kms' }, 'NotImplemented'],
  ])('refuses %s', (_name, headers, code) => {
    expect(() => sseRequestFrom(headersOf(headers as Record<string, string>))).toThrow(expect.objectContaining({ code }));
  });

  it('reads a copy source key from the x-amz-copy-source-server-side-encryption-customer-* headers', () => {
    const source = Object.fromEntries(Object.entries(ssec).map(([n, v]) => [n.replace('x-amz-', 'x-amz-copy-source-'), v]));
    expect(customerKeyFrom(headersOf(source), true)).toEqual({ key, keyMd5: md5(key) });
    expect(customerKeyFrom(headersOf(source))).toBeUndefined();
  });
});

describe('master key', () => {
  it('is 64 hex characters or base64 of 32 bytes, and nothing else', () => {
    expect(parseMasterKey(key.toString('hex'), 't')).toEqual(key);
    expect(parseMasterKey(`${key.toString('base64')}\n`, 't')).toEqual(key);
    expect(() => parseMasterKey('short', 'the file')).toThrow(/the file: the SSE master key must be 32 bytes/);
    expect(() => parseMasterKey(randomBytes(16).toString('base64'), 't')).toThrow(/32 bytes/);
  });

  it('comes from --sse-master-key-file, else STRATA_SSE_MASTER_KEY, else nowhere', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'strata-sse-key-'));
    try {
      const file = path.join(dir, 'master.key');
      await writeFile(file, key.toString('hex'));
      const config = parseServeArgs(['--sse-master-key-file', file], {});
      expect(config.sseMasterKeyFile).toBe(file);
      expect(loadMasterKey(config.sseMasterKeyFile, { STRATA_SSE_MASTER_KEY: randomBytes(32).toString('hex') })).toEqual(key);
      expect(loadMasterKey(undefined, { STRATA_SSE_MASTER_KEY: key.toString('base64') })).toEqual(key);
      expect(loadMasterKey(undefined, {})).toBeUndefined();
      expect(() => loadMasterKey(path.join(dir, 'missing'), {})).toThrow(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('wraps data keys so that only the same key and purpose unwrap them', () => {
    const dataKey = randomBytes(32);
    const wrapped = wrapKey(key, dataKey, 'sse-s3');
    expect(unwrapKey(key, wrapped, 'sse-s3')).toEqual(dataKey);
    expect(unwrapKey(randomBytes(32), wrapped, 'sse-s3')).toBeUndefined();
    expect(unwrapKey(key, wrapped, 'sse-c')).toBeUndefined();
    expect(Buffer.from(wrapped, 'base64').includes(dataKey)).toBe(false);
  });
});

describe('strata serve with a master key', () => {
  it('serves SSE-S3 with the key from the file, and refuses to start on a bad key file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'strata-sse-serve-'));
    try {
      const file = path.join(dir, 'master.key');
      await writeFile(file, 'not a key');
      const bad = parseServeArgs(['--backend', 'memory', '--port', '0', '--console', 'off', '--sse-master-key-file', file], {});
      await expect(serve(bad, () => {})).rejects.toThrow(/cannot read the SSE master key/);
      await writeFile(file, key.toString('hex'));
      const lines: string[] = [];
      const args = ['--backend', 'memory', '--port', '0', '--console', 'off', '--access-key', 'sse-test', '--secret-key', 'sse-test-secret'];
      const stop = await serve(parseServeArgs([...args, '--sse-master-key-file', file], {}), (l) => lines.push(l));
      try {
        const endpoint = lines.find((l) => l.includes('endpoint:'))?.split('endpoint:')[1]?.trim();
        const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'sse-test', secretAccessKey: 'sse-test-secret' } });
        await s3.send(new CreateBucketCommand({ Bucket: 'sse-bucket' }));
        const put = await s3.send(new PutObjectCommand({ Bucket: 'sse-bucket', Key: 'k', Body: 'x', ServerSideEncryption: 'AES256' }));
        expect(put.ServerSideEncryption).toBe('AES256');
        s3.destroy();
      } finally {
        await stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
