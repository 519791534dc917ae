/**
 * Negative interop tests over a real socket against the server on the FILE adapter,
 * with raw requests signed by an independent signer (src/sigv4.ts) and with the aws CLI v2. Each case asserts
 * S3's error code AND that nothing is stored: the key is absent from the storage, the adapter's staging
 * directory holds no leftover, and nothing appears outside the data directory.
 *
 * Not repeated here (the server suite covers them over memory storage, test/e2e-auth.test.ts): SDK wrong-secret
 * PutObject, unknown access key, anonymous PUT, bad Content-MD5, SDK header CRC32 mismatch, tampered presigned
 * path. These tests add what only a real socket + real files show: streaming bodies cut off or rejected midway
 * (staging files must be cleaned up), aws-chunked framing, trailers, and keys that look like paths.
 */
import { crc32 } from 'node:zlib';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STAGING_DIR, UPLOADS_DIR } from '@strata/file';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '#system-tools';
import { bytes, CREDENTIALS, filesUnder, md5, REGION, run, startServer } from '../src/harness.ts';
import type { InteropServer } from '../src/harness.ts';
import { errorCode, requestHead, send, sendTruncated } from '../src/raw-http.ts';
import type { RawResponse } from '../src/raw-http.ts';
import { encodeKey, presignPath, sha256Hex, signedChunks, signRequest, unsignedChunksWithTrailer } from '../src/sigv4.ts';
import type { SignerCredentials } from '../src/sigv4.ts';

const CREDS: SignerCredentials = { ...CREDENTIALS, region: REGION };
const WRONG: SignerCredentials = { ...CREDS, secretAccessKey: 'not-the-secret' };
const Bucket = 'neg-bucket';
const AWS2 = '/usr/bin/aws';

let s: InteropServer;
let host: string;
/** Files outside the data directory before any test ran (work/home scratch), to prove nothing escapes. */
let outsideBefore: string[];

/** Sends a request signed in the Authorization header (payload hashed unless `payloadHash` is given). */
function signed(method: string, path: string, opts: { body?: Buffer | string; query?: Record<string, string>; headers?: Record<string, string>; payloadHash?: string; creds?: SignerCredentials } = {}): Promise<RawResponse> {
  const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
  const req = signRequest(opts.creds ?? CREDS, { method, host, path, query: opts.query, headers: opts.headers, payloadHash: opts.payloadHash ?? sha256Hex(body ?? '') });
  return send(s.port, method, req.path, body === undefined ? req.headers : { ...req.headers, 'content-length': String(body.length) }, body);
}

const crc32Base64 = (b: Buffer) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(b));
  return out.toString('base64');
};

/** Asserts `key` is not stored in the bucket: absent from the storage and from a listing. */
async function expectAbsent(key: string): Promise<void> {
  await expect(s.storage.head(`${Bucket}/${key}`)).rejects.toMatchObject({ code: 'NotFound' });
  const list = await signed('GET', `/${Bucket}`, { query: { 'list-type': '2', prefix: key } });
  expect(list.status).toBe(200);
  expect(list.body).not.toContain(`<Key>${key}</Key>`);
}

/** Waits (bounded) until the adapter's staging directory is empty: an aborted write leaves no file behind. */
async function expectStagingClean(): Promise<void> {
  const dir = join(s.data, STAGING_DIR);
  for (let i = 0; i < 40 && filesUnder(dir).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  expect(filesUnder(dir)).toEqual([]);
}

beforeAll(async () => {
  s = await startServer();
  host = `127.0.0.1:${s.port}`;
  const made = await signed('PUT', `/${Bucket}`);
  expect(made.status).toBe(200);
  outsideBefore = filesUnder(s.root).filter((f) => !f.startsWith('data/'));
});
afterAll(async () => s?.close());

describe('signatures', () => {
  it.skipIf(skipWithout('aws'))('aws CLI with a wrong secret → SignatureDoesNotMatch, nothing stored', async () => {
    writeFileSync(join(s.work, 'w.txt'), 'wrong secret');
    const env = { ...s.env, AWS_SECRET_ACCESS_KEY: 'not-the-secret' };
    const r = await run(AWS2, ['--endpoint-url', s.endpoint, 's3', 'cp', join(s.work, 'w.txt'), `s3://${Bucket}/cli/wrong-secret`], env, { allowFail: true, timeoutMs: 30_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('SignatureDoesNotMatch');
    await expectAbsent('cli/wrong-secret');
  });

  it('signed aws-chunked upload: valid chunks store the bytes (control)', async () => {
    const data = bytes(200_000, 11);
    const body = chunkedPut('chunked/ok', data, CREDS);
    const res = await send(s.port, 'PUT', body.path, body.headers, body.body);
    expect(res.status, res.body).toBe(200);
    expect(res.headers.etag).toBe(`"${md5(data)}"`);
    // The stored object is the payload without the aws-chunked framing (read back through the server).
    const got = await signed('GET', `/${Bucket}/chunked/ok`);
    expect(md5(got.bytes)).toBe(md5(data));
    expect((await s.storage.head(`${Bucket}/chunked/ok`)).size).toBe(data.length);
  });

  it('signed aws-chunked upload with a wrong secret → SignatureDoesNotMatch, nothing stored', async () => {
    const body = chunkedPut('chunked/wrong-secret', bytes(200_000, 12), WRONG);
    const res = await send(s.port, 'PUT', body.path, body.headers, body.body);
    expect(res.status, res.body).toBe(403);
    expect(errorCode(res.body)).toBe('SignatureDoesNotMatch');
    await expectAbsent('chunked/wrong-secret');
    await expectStagingClean();
  });

  it('a tampered chunk signature (second of four chunks) → SignatureDoesNotMatch, nothing stored', async () => {
    const body = chunkedPut('chunked/tampered-sig', bytes(200_000, 13), CREDS);
    const framed = body.body.toString('latin1');
    const sigs = [...framed.matchAll(/chunk-signature=([0-9a-f]{64})/g)];
    const second = sigs[1];
    expect(second?.index).toBeDefined();
    const at = (second?.index ?? 0) + 'chunk-signature='.length;
    const flipped = framed.slice(0, at) + (framed[at] === '0' ? '1' : '0') + framed.slice(at + 1);
    const res = await send(s.port, 'PUT', body.path, body.headers, Buffer.from(flipped, 'latin1'));
    expect(res.status, res.body).toBe(403);
    expect(errorCode(res.body)).toBe('SignatureDoesNotMatch');
    await expectAbsent('chunked/tampered-sig');
    await expectStagingClean();
  });

  it('tampered chunk DATA under a valid framing → SignatureDoesNotMatch, nothing stored', async () => {
    const data = bytes(200_000, 14);
    const body = chunkedPut('chunked/tampered-data', data, CREDS);
    // Flip one byte inside the third chunk's data: the length and signature lines stay intact.
    const i = body.body.indexOf(data.subarray(2 * 65_536, 2 * 65_536 + 32));
    expect(i).toBeGreaterThan(0);
    body.body[i + 5] = (body.body[i + 5] ?? 0) ^ 0xff;
    const res = await send(s.port, 'PUT', body.path, body.headers, body.body);
    expect(res.status, res.body).toBe(403);
    expect(errorCode(res.body)).toBe('SignatureDoesNotMatch');
    await expectAbsent('chunked/tampered-data');
    await expectStagingClean();
  });
});

/** A PUT of `data` as a signed aws-chunked body in 64 KiB chunks. */
function chunkedPut(key: string, data: Buffer, creds: SignerCredentials) {
  const path = `/${Bucket}/${encodeKey(key)}`;
  const framedLength = signedChunks(signRequest(creds, { method: 'PUT', host, path, payloadHash: 'x' }), data, 65_536).length;
  const req = signRequest(creds, {
    method: 'PUT',
    host,
    path,
    payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(data.length), 'content-length': String(framedLength) },
  });
  return { path: req.path, headers: req.headers, body: signedChunks(req, data, 65_536) };
}

describe('presigned URLs', () => {
  it.skipIf(skipWithout('aws'))('an expired aws CLI presigned GET → AccessDenied (and the object is untouched)', async () => {
    const put = await signed('PUT', `/${Bucket}/pre/kept.txt`, { body: 'kept' });
    expect(put.status).toBe(200);
    const url = (await run(AWS2, ['--endpoint-url', s.endpoint, 's3', 'presign', `s3://${Bucket}/pre/kept.txt`, '--expires-in', '1'], s.env, { timeoutMs: 30_000 })).stdout.trim();
    // X-Amz-Date has one-second resolution: 2.2 s later the URL is past its expiry whatever the rounding.
    await new Promise((r) => setTimeout(r, 2_200));
    const res = await fetch(url);
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(errorCode(text)).toBe('AccessDenied');
    expect(text).toContain('Request has expired');
    expect((await signed('GET', `/${Bucket}/pre/kept.txt`)).body).toBe('kept');
  });

  it('an expired presigned PUT → AccessDenied, nothing stored; the same URL unexpired works (control)', async () => {
    const path = `/${Bucket}/pre/late.txt`;
    const late = presignPath(CREDS, 'PUT', host, path, 60, new Date(Date.now() - 3_600_000));
    const res = await send(s.port, 'PUT', late, { host, 'content-length': '4' }, 'late');
    expect(res.status).toBe(403);
    expect(errorCode(res.body)).toBe('AccessDenied');
    await expectAbsent('pre/late.txt');
    const fresh = presignPath(CREDS, 'PUT', host, path, 60);
    expect((await send(s.port, 'PUT', fresh, { host, 'content-length': '4' }, 'late')).status).toBe(200);
  });
});

describe('integrity', () => {
  it.skipIf(skipWithout('aws'))('aws CLI put-object with a wrong --checksum-crc32 → BadDigest, nothing stored', async () => {
    writeFileSync(join(s.work, 'c.bin'), bytes(1_000_000, 15));
    const args = ['--endpoint-url', s.endpoint, 's3api', 'put-object', '--bucket', Bucket, '--key', 'cli/bad-crc', '--body', join(s.work, 'c.bin'), '--checksum-crc32', 'AAAAAA=='];
    const r = await run(AWS2, args, s.env, { allowFail: true, timeoutMs: 30_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('BadDigest');
    await expectAbsent('cli/bad-crc');
    await expectStagingClean();
  });

  it('a wrong CRC32 in the aws-chunked TRAILER of a 2 MiB body → BadDigest, nothing stored; the right one stores (control)', async () => {
    const data = bytes(2 * 1024 * 1024, 16);
    const trailerPut = (key: string, checksum: string) => {
      const framed = unsignedChunksWithTrailer(data, 256 * 1024, { 'x-amz-checksum-crc32': checksum });
      const headers = { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(data.length), 'x-amz-trailer': 'x-amz-checksum-crc32', 'x-amz-sdk-checksum-algorithm': 'CRC32' };
      return signed('PUT', `/${Bucket}/${key}`, { body: framed, headers, payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' });
    };
    const bad = await trailerPut('trailer/bad', crc32Base64(Buffer.from('something else')));
    expect(bad.status).toBe(400);
    expect(errorCode(bad.body)).toBe('BadDigest');
    await expectAbsent('trailer/bad');
    await expectStagingClean();
    const good = await trailerPut('trailer/good', crc32Base64(data));
    expect(good.status, good.body).toBe(200);
    expect(good.headers['x-amz-checksum-crc32']).toBe(crc32Base64(data));
    expect((await s.storage.head(`${Bucket}/trailer/good`)).size).toBe(data.length);
  });

  it('a wrong x-amz-content-sha256 on a 1 MiB body → XAmzContentSHA256Mismatch, nothing stored', async () => {
    const data = bytes(1024 * 1024, 17);
    const res = await signed('PUT', `/${Bucket}/sha/mismatch`, { body: data, payloadHash: sha256Hex('other') });
    expect(errorCode(res.body), res.body).toBe('XAmzContentSHA256Mismatch');
    expect(res.status).toBe(400);
    await expectAbsent('sha/mismatch');
    await expectStagingClean();
  });
});

describe('truncated bodies', () => {
  const cutPut = async (key: string, extraHeaders: Record<string, string>, payloadHash: string, declared: number, sent: Buffer) => {
    const path = `/${Bucket}/${key}`;
    const req = signRequest(CREDS, { method: 'PUT', host, path, payloadHash, headers: { ...extraHeaders, 'content-length': String(declared) } });
    return sendTruncated(s.port, requestHead('PUT', req.path, req.headers), sent);
  };

  it('Content-Length 4 MiB, 1 MiB sent, connection closed → nothing stored, no staging leftover', async () => {
    await cutPut('cut/plain', {}, 'UNSIGNED-PAYLOAD', 4 * 1024 * 1024, bytes(1024 * 1024, 18));
    await expectAbsent('cut/plain');
    await expectStagingClean();
  });

  it('a signed aws-chunked body cut inside its third chunk → nothing stored', async () => {
    const data = bytes(300_000, 19);
    const full = chunkedPut('cut/chunked', data, CREDS);
    await sendTruncated(s.port, requestHead('PUT', full.path, full.headers), full.body.subarray(0, 150_000));
    await expectAbsent('cut/chunked');
    await expectStagingClean();
  });

  it('an UploadPart cut off midway leaves no part; the server still serves requests', async () => {
    const create = await signed('POST', `/${Bucket}/cut/mpu`, { query: { uploads: '' } });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(create.body)?.[1];
    expect(uploadId).toBeDefined();
    const path = `/${Bucket}/cut/mpu`;
    const req = signRequest(CREDS, { method: 'PUT', host, path, query: { partNumber: '1', uploadId: uploadId as string }, payloadHash: 'UNSIGNED-PAYLOAD', headers: { 'content-length': String(6 * 1024 * 1024) } });
    await sendTruncated(s.port, requestHead('PUT', req.path, req.headers), bytes(1024 * 1024, 20));
    await new Promise((r) => setTimeout(r, 200));
    const parts = await signed('GET', path, { query: { uploadId: uploadId as string } });
    expect(parts.status).toBe(200);
    expect(parts.body).not.toContain('<Part>');
    expect((await signed('DELETE', path, { query: { uploadId: uploadId as string } })).status).toBe(204);
    await expectAbsent('cut/mpu');
    expect(filesUnder(join(s.data, UPLOADS_DIR))).toEqual([]);
    await expectStagingClean();
  });
});

describe('malformed XML', () => {
  const contentMd5 = (b: string) => md5Base64(Buffer.from(b));

  it('DeleteObjects with malformed XML → MalformedXML, nothing deleted', async () => {
    expect((await signed('PUT', `/${Bucket}/xml/keep`, { body: 'keep' })).status).toBe(200);
    for (const xml of ['<Delete><Object><Key>xml/keep</Key></Object>', '<Delete><Object><Key>xml/keep</Key></Obj></Delete>', 'not xml at all', '<Other><Object><Key>xml/keep</Key></Object></Other>']) {
      const res = await signed('POST', `/${Bucket}`, { query: { delete: '' }, body: xml, headers: { 'content-md5': contentMd5(xml), 'content-type': 'application/xml' } });
      expect(res.status, xml).toBe(400);
      expect(errorCode(res.body), xml).toBe('MalformedXML');
    }
    expect((await s.storage.head(`${Bucket}/xml/keep`)).size).toBe(4);
  });

  it('DeleteObjects with an entity declaration (XXE / billion laughs) → MalformedXML, nothing deleted', async () => {
    const xml = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY k "xml/keep">]><Delete><Object><Key>&k;</Key></Object></Delete>';
    const res = await signed('POST', `/${Bucket}`, { query: { delete: '' }, body: xml, headers: { 'content-md5': contentMd5(xml) } });
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('MalformedXML');
    expect((await s.storage.head(`${Bucket}/xml/keep`)).size).toBe(4);
  });

  it('CompleteMultipartUpload with malformed XML → MalformedXML, no object, the upload stays', async () => {
    const path = `/${Bucket}/xml/mpu`;
    const create = await signed('POST', path, { query: { uploads: '' } });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(create.body)?.[1] as string;
    const part = await signed('PUT', path, { query: { partNumber: '1', uploadId }, body: 'only part' });
    expect(part.status).toBe(200);
    const xml = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${String(part.headers.etag)}</ETag></Part>`;
    const res = await signed('POST', path, { query: { uploadId }, body: xml });
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('MalformedXML');
    await expectAbsent('xml/mpu');
    const uploads = await signed('GET', `/${Bucket}`, { query: { uploads: '' } });
    expect(uploads.body).toContain(uploadId);
    expect((await signed('DELETE', path, { query: { uploadId } })).status).toBe(204);
  });
});

const md5Base64 = (b: Buffer) => Buffer.from(md5(b), 'hex').toString('base64');

describe('bucket names', () => {
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
  const invalid = ['ab', 'a'.repeat(64), 'UPPER', 'under_score', '-dash', 'dash-', 'a..b', '.strata', 'dot.', '192.168.5.4', 'xn--punycode', 'sthree-x', 'name-s3alias', 'name--ol-s3', 'bad%20space'];

  it.each(invalid)('CreateBucket %s → InvalidBucketName, nothing created', async (name) => {
    const before = filesUnder(s.data);
    const res = await signed('PUT', `/${name}`);
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('InvalidBucketName');
    expect(filesUnder(s.data)).toEqual(before);
    const buckets = await signed('GET', '/');
    expect(buckets.body).not.toContain(`<Name>${name}</Name>`);
  });

  it('the reserved prefix is not reachable as a bucket: PUT /.strata/buckets/x stores nothing', async () => {
    const before = filesUnder(s.data);
    const res = await signed('PUT', '/.strata/buckets/evil', { body: '{"name":"evil"}' });
    expect([400, 404]).toContain(res.status);
    expect(['InvalidBucketName', 'NoSuchBucket']).toContain(errorCode(res.body));
    expect(filesUnder(s.data)).toEqual(before);
  });
});

describe('keys with traversal segments', () => {
  const keys = ['../../etc/passwd', 'a/../b', './x', '..', 'c/./d/..', '../escape/../../..', '..%2F..%2Fpct'];

  it('are stored as literal keys, listed and read back exactly, and nothing is written outside the data dir', async () => {
    for (const [i, key] of keys.entries()) {
      // The path is sent verbatim: `..` segments unencoded (only `%` escaped), as S3 clients that do not
      // normalize send them. S3 treats them as literal key text.
      const path = `/${Bucket}/trav/${key.replace(/%/g, '%25')}`;
      const put = await signed('PUT', path, { body: `body ${i}` });
      expect(put.status, `${key}: ${put.body}`).toBe(200);
      const get = await signed('GET', path);
      expect(get.status, key).toBe(200);
      expect(get.body, key).toBe(`body ${i}`);
    }
    const list = await signed('GET', `/${Bucket}`, { query: { 'list-type': '2', prefix: 'trav/', 'encoding-type': 'url' } });
    const listed = [...list.body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => decodeURIComponent((m[1] ?? '').replace(/\+/g, ' ')));
    expect(listed.sort()).toEqual(keys.map((k) => `trav/${k}`).sort());
    for (const [i, key] of keys.entries()) expect((await s.storage.head(`${Bucket}/trav/${key}`)).size, key).toBe(`body ${i}`.length);
    // Clients of other tests write only under work/; everything else outside the data dir is as it was.
    const outside = (files: string[]) => files.filter((f) => !f.startsWith('data/') && !f.startsWith('work/'));
    expect(outside(filesUnder(s.root))).toEqual(outside(outsideBefore));
    expect(existsSync(join(s.root, 'etc'))).toBe(false);
    expect(existsSync(join(tmpdir(), 'etc', 'passwd'))).toBe(false);
    expect(existsSync(join(s.root, 'escape'))).toBe(false);
  });

  it.skipIf(skipWithout('aws'))('the aws CLI puts and gets ../../etc/passwd as a literal key', async () => {
    writeFileSync(join(s.work, 'pw.txt'), 'not a passwd');
    await run(AWS2, ['--endpoint-url', s.endpoint, 's3api', 'put-object', '--bucket', Bucket, '--key', 'cli/../../etc/passwd', '--body', join(s.work, 'pw.txt')], s.env, { timeoutMs: 30_000 });
    expect((await s.storage.head(`${Bucket}/cli/../../etc/passwd`)).size).toBe('not a passwd'.length);
    expect(existsSync(join(s.data, 'etc'))).toBe(false);
    const outside = (files: string[]) => files.filter((f) => !f.startsWith('data/') && !f.startsWith('work/'));
    expect(outside(filesUnder(s.root))).toEqual(outside(outsideBefore));
  });
});
