/**
 * Bucket tagging (PutBucketTagging, GetBucketTagging, DeleteBucketTagging —
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketTagging.html) through the AWS SDK over a real
 * socket on the file and block backends: round trip, NoSuchTagSet, S3's tag limits (InvalidTag), malformed
 * documents (MalformedXML), Content-MD5 checked when sent, tags surviving a restart on the file backend and
 * going with the bucket. The aws CLI's put-bucket-tagging and get-bucket-tagging once.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketTaggingCommand,
  GetBucketTaggingCommand,
  PutBucketTaggingCommand,
} from '@aws-sdk/client-s3';
import type { S3Client, Tag } from '@aws-sdk/client-s3';
import { createFileStorage } from '@strata/file';
import { skipWithout } from '#system-tools';
import { BACKENDS, TEST_MIN_PART_SIZE, startOver } from './backends.ts';
import { ACCESS_KEY, REGION, SECRET_KEY, startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';
import { RawConnection, expectS3Error, signedHead, signerOf } from './raw-socket.ts';
import type { RawResponse } from './raw-socket.ts';

/** The error code an SDK call failed with (or 'OK'), and its HTTP status. */
async function outcome(p: Promise<{ $metadata: { httpStatusCode?: number } }>): Promise<{ code: string; status: number | undefined }> {
  try {
    return { code: 'OK', status: (await p).$metadata.httpStatusCode };
  } catch (e) {
    const err = e as { name: string; $metadata?: { httpStatusCode?: number } };
    return { code: err.name, status: err.$metadata?.httpStatusCode };
  }
}

/** A signed PUT `/<bucket>?tagging` with `body` as sent, bytes and headers untouched by any SDK. */
async function rawPutTagging(server: TestServer, bucket: string, body: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const bytes = Buffer.from(body, 'utf8');
  const head = await signedHead(await signerOf(server.client()), server.port, {
    method: 'PUT',
    path: `/${bucket}`,
    query: { tagging: '' },
    headers: { 'content-type': 'application/xml', 'content-length': String(bytes.length), ...headers },
  });
  const conn = await RawConnection.open(server.port);
  try {
    conn.write(Buffer.concat([Buffer.from(head, 'latin1'), bytes]));
    return await conn.response(10_000);
  } finally {
    conn.destroy();
  }
}

const tagging = (tags: string) => `<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>${tags}</TagSet></Tagging>`;

describe.each(BACKENDS)('bucket tagging on the $name backend', (backend) => {
  let server: TestServer;
  let s3: S3Client;
  const Bucket = 'tagged';

  beforeAll(async () => {
    server = await startOver(backend);
    s3 = server.client();
    await s3.send(new CreateBucketCommand({ Bucket }));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a bucket without tags answers GetBucketTagging with 404 NoSuchTagSet', async () => {
    expect(await outcome(s3.send(new GetBucketTaggingCommand({ Bucket })))).toEqual({ code: 'NoSuchTagSet', status: 404 });
  });

  it('stores a tag set (Unicode, empty value, in order), returns it, replaces it and deletes it', async () => {
    const TagSet: Tag[] = [
      { Key: 'project', Value: 'strata' },
      { Key: 'Kostenstelle', Value: 'Straße 7 · ünïcödé' },
      { Key: 'empty', Value: '' },
    ];
    await s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet } }));
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet).toEqual(TagSet);

    await s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'only', Value: 'one' }] } }));
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet).toEqual([{ Key: 'only', Value: 'one' }]);

    const del = await s3.send(new DeleteBucketTaggingCommand({ Bucket }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    expect(await outcome(s3.send(new GetBucketTaggingCommand({ Bucket })))).toEqual({ code: 'NoSuchTagSet', status: 404 });
    // Deleting again is no error.
    expect(await outcome(s3.send(new DeleteBucketTaggingCommand({ Bucket })))).toEqual({ code: 'OK', status: 204 });
  });

  it('takes S3\'s limits: 50 tags, a 128-character key and a 256-character value (counted in Unicode characters)', async () => {
    const TagSet = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
    TagSet[0] = { Key: '😀'.repeat(128), Value: '😀'.repeat(256) };
    await s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet } }));
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet).toEqual(TagSet);
  });

  it.each([
    ['51 tags', Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }))],
    ['a 129-character key', [{ Key: 'k'.repeat(129), Value: 'v' }]],
    ['a 257-character value', [{ Key: 'k', Value: 'v'.repeat(257) }]],
    ['an empty key', [{ Key: '', Value: 'v' }]],
    ['a key in the aws: namespace', [{ Key: 'aws:cloudformation:stack-name', Value: 'v' }]],
    ['a key in the AWS: namespace, any case', [{ Key: 'AWS:owner', Value: 'v' }]],
    ['a key twice', [{ Key: 'dup', Value: '1' }, { Key: 'dup', Value: '2' }]],
  ])('refuses %s with 400 InvalidTag and keeps the tags it had', async (_name, TagSet) => {
    const before = [{ Key: 'kept', Value: 'yes' }];
    await s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: before } }));
    expect(await outcome(s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet } })))).toEqual({ code: 'InvalidTag', status: 400 });
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet).toEqual(before);
  });

  it.each([
    ['not XML', 'tags please'],
    ['another root', '<Tags><TagSet/></Tags>'],
    ['no TagSet', '<Tagging></Tagging>'],
    ['a Tag without Key', tagging('<Tag><Value>v</Value></Tag>')],
    ['a Tag without Value', tagging('<Tag><Key>k</Key></Tag>')],
    ['a Key holding an element', tagging('<Tag><Key><b>k</b></Key><Value>v</Value></Tag>')],
  ])('refuses %s with 400 MalformedXML', async (_name, body) => {
    expectS3Error(await rawPutTagging(server, Bucket, body), 400, 'MalformedXML');
  });

  it('checks a Content-MD5 when one is sent (BadDigest), and takes a document without one', async () => {
    const body = tagging('<Tag><Key>md5</Key><Value>checked</Value></Tag>');
    const wrong = createHash('md5').update('something else').digest('base64');
    expectS3Error(await rawPutTagging(server, Bucket, body, { 'content-md5': wrong }), 400, 'BadDigest');
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet).not.toContainEqual({ Key: 'md5', Value: 'checked' });

    const right = createHash('md5').update(body).digest('base64');
    expect((await rawPutTagging(server, Bucket, body, { 'content-md5': right })).status).toBe(204);
    expect((await rawPutTagging(server, Bucket, body)).status).toBe(204);
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet).toEqual([{ Key: 'md5', Value: 'checked' }]);
  });

  it('the tags go with the bucket: a bucket created again under the name has none', async () => {
    const b = 'short-lived';
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await s3.send(new PutBucketTaggingCommand({ Bucket: b, Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] } }));
    await s3.send(new DeleteBucketCommand({ Bucket: b }));
    expect(await outcome(s3.send(new GetBucketTaggingCommand({ Bucket: b })))).toEqual({ code: 'NoSuchBucket', status: 404 });
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    expect(await outcome(s3.send(new GetBucketTaggingCommand({ Bucket: b })))).toEqual({ code: 'NoSuchTagSet', status: 404 });
  });

  it('a bucket that does not exist is 404 NoSuchBucket for each operation', async () => {
    const Missing = 'no-such-bucket';
    expect(await outcome(s3.send(new GetBucketTaggingCommand({ Bucket: Missing })))).toEqual({ code: 'NoSuchBucket', status: 404 });
    expect(await outcome(s3.send(new PutBucketTaggingCommand({ Bucket: Missing, Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] } })))).toEqual({ code: 'NoSuchBucket', status: 404 });
    expect(await outcome(s3.send(new DeleteBucketTaggingCommand({ Bucket: Missing })))).toEqual({ code: 'NoSuchBucket', status: 404 });
  });
});

describe('bucket tags on the file backend', () => {
  it('survive a restart of the server over the same directory', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'strata-bucket-tagging-'));
    const open = () => createFileStorage({ root: path.join(dir, 'data'), minPartSize: TEST_MIN_PART_SIZE });
    try {
      const TagSet = [{ Key: 'survives', Value: 'restart' }];
      let storage = open();
      let server = await startServer({ storage });
      await server.client().send(new CreateBucketCommand({ Bucket: 'kept' }));
      await server.client().send(new PutBucketTaggingCommand({ Bucket: 'kept', Tagging: { TagSet } }));
      await server.close();
      await storage.close();

      storage = open();
      server = await startServer({ storage });
      try {
        expect((await server.client().send(new GetBucketTaggingCommand({ Bucket: 'kept' }))).TagSet).toEqual(TagSet);
      } finally {
        await server.close();
        await storage.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(skipWithout('aws'))('the aws CLI (/usr/bin/aws)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startOver(BACKENDS[0] as (typeof BACKENDS)[number]);
    await server.client().send(new CreateBucketCommand({ Bucket: 'cli' }));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('put-bucket-tagging, then get-bucket-tagging returns the tag set', async () => {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY, AWS_DEFAULT_REGION: REGION, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    const aws = (...args: string[]) => promisify(execFile)('/usr/bin/aws', ['--endpoint-url', server.endpoint, '--output', 'json', 's3api', ...args], { env, timeout: 30_000 });
    await aws('put-bucket-tagging', '--bucket', 'cli', '--tagging', 'TagSet=[{Key=team,Value=storage},{Key=tier,Value=gold}]');
    const { stdout } = await aws('get-bucket-tagging', '--bucket', 'cli');
    expect(JSON.parse(stdout)).toEqual({ TagSet: [{ Key: 'team', Value: 'storage' }, { Key: 'tier', Value: 'gold' }] });
  });
});
