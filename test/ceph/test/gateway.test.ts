/**
 * `strata serve --backend s3`: Strata's front (SigV4 auth, metrics, the S3 API) over Ceph RGW, driven by the aws
 * CLI (Debian's `/usr/bin/aws`) and the AWS SDK over real sockets. Objects land in the upstream bucket as
 * `<bucket>/<key>`, under the prefix when one is given; reads are not cached (a write made upstream, past the
 * gateway, is read at once); two gateways on one upstream location share its objects.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand,
  ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '#system-tools';
import { bytes, md5, run } from '../../interop/src/harness.ts';
import { CEPH_REGION, cephGateway, rawClient, uniqueBucket } from '../src/ceph.ts';
import { FRONT_CREDENTIALS, startGateway } from '../src/gateway-process.ts';
import type { GatewayProcess } from '../src/gateway-process.ts';

const MiB = 1024 * 1024;
const ceph = cephGateway();

/** An SDK client of a Strata gateway (its own credentials, path-style). */
const frontClient = (endpoint: string) =>
  new S3Client({ endpoint, region: CEPH_REGION, credentials: FRONT_CREDENTIALS, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
const text = async (out: { Body?: unknown }) => Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()).toString();

if (ceph !== undefined) {
  describe('strata serve --backend s3 over Ceph RGW', () => {
    const upstreamBucket = uniqueBucket('gateway');
    const upstream = rawClient(ceph);
    let gateway: GatewayProcess;
    let front: S3Client;

    beforeAll(async () => {
      await upstream.send(new CreateBucketCommand({ Bucket: upstreamBucket }));
      gateway = await startGateway(ceph, ['--upstream-bucket', upstreamBucket]);
      front = frontClient(gateway.endpoint);
    });
    afterAll(async () => {
      front?.destroy();
      expect(await gateway?.stop()).toBe(0);
      upstream.destroy();
    });

    it('names the upstream in its banner and runs without a read cache', () => {
      expect(gateway.output()).toContain(`backend:    s3 (s3://${upstreamBucket}/ at ${ceph.endpoint})`);
      expect(gateway.output()).not.toContain('read cache');
    });

    it.skipIf(skipWithout('aws'))('the aws CLI: mb, cp up and down byte-exact (one request and multipart), ls, rm', async () => {
      const home = mkdtempSync(join(tmpdir(), 'strata-ceph-cli-'));
      try {
        writeFileSync(join(home, 'config'), `[default]\nregion = ${CEPH_REGION}\n`);
        const env = {
          PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', AWS_PAGER: '', AWS_EC2_METADATA_DISABLED: 'true',
          AWS_ACCESS_KEY_ID: FRONT_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: FRONT_CREDENTIALS.secretAccessKey,
          AWS_CONFIG_FILE: join(home, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
        };
        const aws = (...args: string[]) => run('/usr/bin/aws', ['--endpoint-url', gateway.endpoint, ...args], env);
        await aws('s3', 'mb', 's3://cli-bucket');
        const small = bytes(10_000, 1);
        const big = bytes(20 * MiB, 2);
        writeFileSync(join(home, 'small.bin'), small);
        writeFileSync(join(home, 'big.bin'), big);
        await aws('s3', 'cp', join(home, 'small.bin'), 's3://cli-bucket/dir/small file+1.bin');
        await aws('s3', 'cp', join(home, 'big.bin'), 's3://cli-bucket/big.bin');
        await aws('s3', 'cp', 's3://cli-bucket/dir/small file+1.bin', join(home, 'small.out'));
        await aws('s3', 'cp', 's3://cli-bucket/big.bin', join(home, 'big.out'));
        expect(md5(readFileSync(join(home, 'small.out')))).toBe(md5(small));
        expect(md5(readFileSync(join(home, 'big.out')))).toBe(md5(big));
        const head = JSON.parse((await aws('s3api', 'head-object', '--bucket', 'cli-bucket', '--key', 'big.bin')).stdout);
        expect(head.ETag).toMatch(/^"[0-9a-f]{32}-3"$/); // 20 MiB in the CLI's 8 MiB parts, assembled by RGW
        expect((await aws('s3', 'ls', 's3://cli-bucket/dir/')).stdout).toContain('small file+1.bin');
        // In the upstream bucket the object is `<bucket>/<key>`.
        const stored = await upstream.send(new HeadObjectCommand({ Bucket: upstreamBucket, Key: 'cli-bucket/dir/small file+1.bin' }));
        expect(stored.ContentLength).toBe(small.length);
        await aws('s3', 'rm', 's3://cli-bucket/dir/small file+1.bin');
        await expect(upstream.send(new HeadObjectCommand({ Bucket: upstreamBucket, Key: 'cli-bucket/dir/small file+1.bin' }))).rejects.toMatchObject({ name: 'NotFound' });
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    }, 120_000);

    it('the AWS SDK: put, get, head, list, conditional create, multipart, delete', async () => {
      await front.send(new CreateBucketCommand({ Bucket: 'sdk-bucket' }));
      const put = await front.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: 'a/b.txt', Body: 'hello ceph', ContentType: 'text/plain', Metadata: { k: 'v' } }));
      expect(put.ETag).toBe(`"${md5(Buffer.from('hello ceph'))}"`);
      const got = await front.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'a/b.txt' }));
      expect(await text(got)).toBe('hello ceph');
      expect(got).toMatchObject({ ContentType: 'text/plain', Metadata: { k: 'v' } });
      // Create-only through the gateway is evaluated by RGW, atomically.
      await expect(front.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: 'a/b.txt', Body: 'again', IfNoneMatch: '*' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
      const listed = await front.send(new ListObjectsV2Command({ Bucket: 'sdk-bucket', Prefix: 'a/' }));
      expect(listed.Contents?.map((c) => c.Key)).toEqual(['a/b.txt']);

      const up = await front.send(new CreateMultipartUploadCommand({ Bucket: 'sdk-bucket', Key: 'mp.bin' }));
      const partBytes = [bytes(5 * MiB, 3), bytes(1000, 4)];
      const parts = [];
      for (const [i, Body] of partBytes.entries()) {
        const p = await front.send(new UploadPartCommand({ Bucket: 'sdk-bucket', Key: 'mp.bin', UploadId: up.UploadId, PartNumber: i + 1, Body }));
        parts.push({ PartNumber: i + 1, ETag: p.ETag });
      }
      await front.send(new CompleteMultipartUploadCommand({ Bucket: 'sdk-bucket', Key: 'mp.bin', UploadId: up.UploadId, MultipartUpload: { Parts: parts } }));
      const mp = await front.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'mp.bin' }));
      expect(md5(Buffer.from(await (mp.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()))).toBe(md5(Buffer.concat(partBytes)));
      expect(mp.ETag).toMatch(/-2"$/);

      await front.send(new DeleteObjectCommand({ Bucket: 'sdk-bucket', Key: 'a/b.txt' }));
      await expect(front.send(new HeadObjectCommand({ Bucket: 'sdk-bucket', Key: 'a/b.txt' }))).rejects.toMatchObject({ name: 'NotFound' });
    }, 60_000);

    it('takes the checksums a default SDK client sends: verified in flight, answered, never stored wrong', async () => {
      // Current SDKs send a CRC32 with every PutObject and UploadPart; RGW 16 keeps none.
      const client = new S3Client({ endpoint: gateway.endpoint, region: CEPH_REGION, credentials: FRONT_CREDENTIALS, forcePathStyle: true });
      try {
        await client.send(new CreateBucketCommand({ Bucket: 'checksums' }));
        const put = await client.send(new PutObjectCommand({ Bucket: 'checksums', Key: 'ok', Body: 'hello' }));
        expect(put.ChecksumCRC32).toBe('NhCmhg==');
        expect(await text(await client.send(new GetObjectCommand({ Bucket: 'checksums', Key: 'ok' })))).toBe('hello');
        await expect(client.send(new PutObjectCommand({ Bucket: 'checksums', Key: 'bad', Body: 'hello', ChecksumCRC32: 'AAAAAA==' }))).rejects.toMatchObject({ name: 'BadDigest' });
        await expect(upstream.send(new HeadObjectCommand({ Bucket: upstreamBucket, Key: 'checksums/bad' }))).rejects.toMatchObject({ name: 'NotFound' });
      } finally {
        client.destroy();
      }
    });

    it('serves no stale read: a write made upstream, past the gateway, is read at once', async () => {
      await front.send(new CreateBucketCommand({ Bucket: 'shared' }));
      await front.send(new PutObjectCommand({ Bucket: 'shared', Key: 'doc', Body: 'version 1' }));
      expect(await text(await front.send(new GetObjectCommand({ Bucket: 'shared', Key: 'doc' })))).toBe('version 1');
      await upstream.send(new PutObjectCommand({ Bucket: upstreamBucket, Key: 'shared/doc', Body: 'version 2' }));
      expect(await text(await front.send(new GetObjectCommand({ Bucket: 'shared', Key: 'doc' })))).toBe('version 2');
    });

    it('keeps the front: unsigned requests are refused, and /metrics counts what was served', async () => {
      const denied = await fetch(`${gateway.endpoint}/shared/doc`);
      expect(denied.status).toBe(403);
      expect(await denied.text()).toContain('<Code>AccessDenied</Code>');
      const metrics = await (await fetch(`${gateway.endpoint}/metrics`)).text();
      expect(metrics).toMatch(/GetObject/);
    });

    it('two gateways on one upstream location share objects; a prefix keeps a gateway apart', async () => {
      const same = await startGateway(ceph, ['--upstream-prefix', `${upstreamBucket}/`]);
      const tenant = await startGateway(ceph, ['--upstream-prefix', `${upstreamBucket}/tenant-a`]);
      const sameClient = frontClient(same.endpoint);
      const tenantClient = frontClient(tenant.endpoint);
      try {
        await front.send(new PutObjectCommand({ Bucket: 'shared', Key: 'from-first', Body: 'first' }));
        expect(await text(await sameClient.send(new GetObjectCommand({ Bucket: 'shared', Key: 'from-first' })))).toBe('first');
        await sameClient.send(new PutObjectCommand({ Bucket: 'shared', Key: 'from-second', Body: 'second' }));
        expect(await text(await front.send(new GetObjectCommand({ Bucket: 'shared', Key: 'from-second' })))).toBe('second');
        // A multipart upload lives upstream: started on one gateway, its part uploaded and completed on the other.
        const up = await front.send(new CreateMultipartUploadCommand({ Bucket: 'shared', Key: 'relay' }));
        const part = await sameClient.send(new UploadPartCommand({ Bucket: 'shared', Key: 'relay', UploadId: up.UploadId, PartNumber: 1, Body: 'relayed' }));
        await sameClient.send(new CompleteMultipartUploadCommand({ Bucket: 'shared', Key: 'relay', UploadId: up.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
        expect(await text(await front.send(new GetObjectCommand({ Bucket: 'shared', Key: 'relay' })))).toBe('relayed');

        await tenantClient.send(new CreateBucketCommand({ Bucket: 'shared' }));
        await tenantClient.send(new PutObjectCommand({ Bucket: 'shared', Key: 'from-first', Body: 'tenant' }));
        expect(await text(await front.send(new GetObjectCommand({ Bucket: 'shared', Key: 'from-first' })))).toBe('first');
        const stored = await upstream.send(new GetObjectCommand({ Bucket: upstreamBucket, Key: 'tenant-a/shared/from-first' }));
        expect(await text(stored)).toBe('tenant');
      } finally {
        sameClient.destroy();
        tenantClient.destroy();
        expect(await same.stop()).toBe(0);
        expect(await tenant.stop()).toBe(0);
      }
    }, 60_000);

    it('refuses to start on an upstream bucket that does not exist, and says which', async () => {
      const failed = await startGateway(ceph, ['--upstream-bucket', 'no-such-bucket-here']).then(
        () => undefined,
        (e: Error & { code?: number; output?: string }) => e,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.output).toContain(`s3://no-such-bucket-here/ at ${ceph.endpoint}`);
    });
  });
}
