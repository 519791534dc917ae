/**
 * The bucket settings' and versions' logic in Node: the settings route, the CORS and lifecycle drafts turned
 * into the SDK's rules (and refused with a reason when a field is wrong), lifecycle members the form does not
 * edit kept on save, the policy's JSON check, the request preview — byte for byte the body the SDK then sends,
 * and nothing sent while previewing — and the version list of one exact key against the real server.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, DeleteObjectCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHash, routeHash } from '../ui/router.ts';
import { jsonProblem, publicReadPolicy } from '../ui/s3/bucket-policy.ts';
import { corsDrafts, corsRules, newCorsRule, putCorsCommand } from '../ui/s3/cors.ts';
import { lifecycleDrafts, lifecycleRules, newLifecycleRule } from '../ui/s3/lifecycle.ts';
import { requestBodyOf } from '../ui/s3/request-preview.ts';
import { listFolderVersions, listVersions } from '../ui/s3/versions.ts';
import { placeholderAssets, startConsoleServer } from './helpers/console-server.ts';
import type { ConsoleServer } from './helpers/console-server.ts';

describe('the settings route', () => {
  it('round-trips a bucket and refuses a malformed one', () => {
    expect(parseHash(routeHash({ view: 'settings', bucket: 'my.bucket-1' }))).toEqual({ view: 'settings', bucket: 'my.bucket-1' });
    for (const hash of ['#/settings', '#/settings/', '#/settings/a/b', '#/settings/%E0%A4%A']) expect(parseHash(hash)).toEqual({ view: 'buckets' });
  });
});

describe('CORS drafts', () => {
  it('turn into rules with the lists split by line and the methods in a fixed order, and back', () => {
    const draft = { id: ' web ', origins: 'https://a.example\n\n https://b.example ', methods: ['PUT', 'GET'], allowedHeaders: 'content-type, x-amz-date', exposeHeaders: '', maxAge: '300' };
    const built = corsRules([draft]);
    expect(built).toEqual({
      rules: [{ ID: 'web', AllowedOrigins: ['https://a.example', 'https://b.example'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['content-type', 'x-amz-date'], MaxAgeSeconds: 300 }],
    });
    if ('rules' in built) expect(corsRules(corsDrafts(built.rules))).toEqual(built);
  });

  it.each([
    [[], 'Add a rule, or delete the configuration.'],
    [[{ ...newCorsRule(), origins: ' \n' }], 'Rule 1: name at least one origin.'],
    [[newCorsRule(), { ...newCorsRule(), methods: [] }], 'Rule 2: allow at least one method.'],
    [[{ ...newCorsRule(), maxAge: '1.5' }], 'Rule 1: Max age must be a whole number.'],
  ])('refuse %j: %s', (drafts, problem) => {
    expect(corsRules(drafts)).toEqual({ problem });
  });
});

describe('lifecycle drafts', () => {
  it('turn into rules with a prefix filter and the chosen actions only', () => {
    expect(lifecycleRules([{ ...newLifecycleRule(), prefix: 'tmp/', abortDays: '3' }])).toEqual({
      rules: [{ ID: undefined, Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: undefined, NoncurrentVersionExpiration: undefined, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 } }],
    });
  });

  it('keep what the form does not edit: a tag filter, an expiration date, newer noncurrent versions', () => {
    const date = new Date('2030-01-01T00:00:00Z');
    const stored = [
      { ID: 'tagged', Status: 'Enabled' as const, Filter: { And: { Prefix: 'a/', Tags: [{ Key: 'k', Value: 'v' }] } }, Expiration: { Date: date }, NoncurrentVersionExpiration: { NoncurrentDays: 5, NewerNoncurrentVersions: 2 } },
    ];
    const [draft] = lifecycleDrafts(stored);
    if (!draft) throw new Error('no draft');
    const built = lifecycleRules([{ ...draft, enabled: false, noncurrentDays: '9' }]);
    expect(built).toEqual({
      rules: [{ ID: 'tagged', Status: 'Disabled', Filter: stored[0]?.Filter, Expiration: { Date: date }, NoncurrentVersionExpiration: { NoncurrentDays: 9, NewerNoncurrentVersions: 2 }, AbortIncompleteMultipartUpload: undefined }],
    });
  });

  it.each([
    [[newLifecycleRule()], 'Rule 1: choose at least one action (a number of days).'],
    [[{ ...newLifecycleRule(), expirationDays: '0' }], 'Rule 1: Expiration days must be at least 1.'],
    [[{ ...newLifecycleRule(), noncurrentDays: 'x' }], 'Rule 1: Noncurrent expiration days must be a whole number.'],
  ])('refuse %j: %s', (drafts, problem) => {
    expect(lifecycleRules(drafts)).toEqual({ problem });
  });
});

describe('policy text', () => {
  it('is checked for JSON syntax only; the template is JSON naming the bucket', () => {
    expect(jsonProblem('')).toMatch(/empty/);
    expect(jsonProblem('{"Version":')).toMatch(/^Not JSON: /);
    expect(jsonProblem(publicReadPolicy('b'))).toBeUndefined();
    expect(JSON.parse(publicReadPolicy('b'))).toMatchObject({ Statement: [{ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', Principal: '*' }] });
  });
});

describe('the request preview', () => {
  it('is the body the SDK then sends, and sends nothing itself', async () => {
    const received: string[] = [];
    const recorder = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, { 'content-length': '0' }).end();
      });
    });
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
    const client = new S3Client({ endpoint: `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
    try {
      const built = corsRules([{ ...newCorsRule(), origins: 'https://a.example', methods: ['GET', 'HEAD'], maxAge: '60' }]);
      if (!('rules' in built)) throw new Error(built.problem);
      const previewed = await requestBodyOf(client, putCorsCommand('b', built.rules));
      expect(received).toEqual([]);
      await client.send(putCorsCommand('b', built.rules));
      expect(received).toEqual([previewed]);
      expect(previewed).toContain('<AllowedMethod>HEAD</AllowedMethod><AllowedOrigin>https://a.example</AllowedOrigin><MaxAgeSeconds>60</MaxAgeSeconds>');
    } finally {
      client.destroy();
      await new Promise((resolve) => recorder.close(resolve));
    }
  });
});

describe('versions of one key', () => {
  let server: ConsoleServer;
  beforeAll(async () => {
    server = await startConsoleServer({ assets: placeholderAssets() });
  });
  afterAll(async () => server?.close());

  it('lists exactly the key, newest first, delete markers marked', async () => {
    const { s3 } = server;
    await s3.send(new CreateBucketCommand({ Bucket: 'versions' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'versions', VersioningConfiguration: { Status: 'Enabled' } }));
    const first = await s3.send(new PutObjectCommand({ Bucket: 'versions', Key: 'k', Body: 'one' }));
    await s3.send(new PutObjectCommand({ Bucket: 'versions', Key: 'k2', Body: 'longer key' }));
    const second = await s3.send(new PutObjectCommand({ Bucket: 'versions', Key: 'k', Body: 'two!' }));
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: 'versions', Key: 'k' }));
    const versions = await listVersions(s3, 'versions', 'k');
    expect(versions.map((v) => [v.versionId, v.deleteMarker, v.isLatest, v.size])).toEqual([
      [marker.VersionId, true, true, 0],
      [second.VersionId, false, false, 4],
      [first.VersionId, false, false, 3],
    ]);
    // The folder view: grouped by key, each key's newest first, paged by the key and version-id markers.
    await s3.send(new PutObjectCommand({ Bucket: 'versions', Key: 'sub/inner', Body: 'x' }));
    const firstPage = await listFolderVersions(s3, { bucket: 'versions', prefix: '', pageSize: 2 });
    expect(firstPage.folders).toEqual([]);
    expect(firstPage.versions.map((v) => [v.key, v.versionId])).toEqual([
      ['k', marker.VersionId],
      ['k', second.VersionId],
    ]);
    const rest = await listFolderVersions(s3, { bucket: 'versions', prefix: '', token: firstPage.nextToken, pageSize: 10 });
    expect(rest.versions.map((v) => v.key)).toEqual(['k', 'k2']);
    expect(rest.folders).toEqual(['sub/']);
    expect(rest.nextToken).toBeUndefined();
  });
});
