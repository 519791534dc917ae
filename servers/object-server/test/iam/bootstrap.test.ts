/**
 * The declarative bootstrap: `strata serve --bucket NAME --config strata.yaml` parses and validates the file
 * with the arguments (a mistake is a usage error naming the entry), and the app applies it before its first
 * request — buckets exist, the user's key signs with the AWS SDK within its policy, the bucket policy serves
 * anonymous reads — and again, unchanged, on a restart over the same storage.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadBucketCommand, ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createMemoryStorage } from '@strata/storage';
import { describe, expect, it } from 'vitest';
import { parseServeArgs, UsageError } from '../../src/cli.ts';
import { startServer } from '../helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'strata-bootstrap-'));
const YAML = `
buckets:
  - photos
  - name: public-site
    policy:
      Version: "2012-10-17"
      Statement:
        - { Effect: Allow, Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::public-site/*" }
users:
  - name: ci
    accessKeys:
      - { accessKeyId: CIKEY000000000000000, secretAccessKey: ci-secret-key-0000000000 }
    policies:
      photos-rw: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::photos/*"}]}'
`;

describe('--bucket and --config', () => {
  it('parses the file and the flags into the serve config', () => {
    const file = join(dir, 'strata.yaml');
    writeFileSync(file, YAML);
    const config = parseServeArgs(['--config', file, '--bucket', 'extra-bucket', '--bucket', 'photos'], {});
    expect(config.bootstrap?.buckets.map((b) => b.name)).toEqual(['photos', 'public-site', 'extra-bucket']);
    expect(config.bootstrap?.users[0]).toMatchObject({ name: 'ci', accessKeys: [{ accessKeyId: 'CIKEY000000000000000' }] });
    expect(parseServeArgs([], { STRATA_BUCKETS: 'a-bucket, b-bucket' }).bootstrap?.buckets.map((b) => b.name)).toEqual(['a-bucket', 'b-bucket']);
    expect(parseServeArgs([], {}).bootstrap).toBeUndefined();
  });

  it.each([
    ['a missing file', null, /cannot read --config/],
    ['bad YAML', 'buckets: [', /not valid YAML/],
    ['an unknown field', 'bukkits: []', /unknown field bukkits/],
    ['a bad bucket name', 'buckets: [Not_A_Bucket]', /bucket Not_A_Bucket/],
    ['a malformed user policy', 'users: [{ name: u, policies: { p: { Statement: [{ Effect: Maybe }] } } }]', /users\[0\]\.policies\.p/],
    ['a bucket policy about another bucket', 'buckets: [{ name: b1-bucket, policy: { Statement: [{ Effect: Allow, Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::other/*" }] } }]', /invalid resource/],
    ['three keys for one user', 'users: [{ name: u, accessKeys: [{ accessKeyId: K1, secretAccessKey: s }, { accessKeyId: K2, secretAccessKey: s }, { accessKeyId: K3, secretAccessKey: s }] }]', /at most 2 access keys/],
    ['a key without a secret', 'users: [{ name: u, accessKeys: [{ accessKeyId: K }] }]', /accessKeys\[0\]/],
  ] as [string, string | null, RegExp][])('refuses %s with a usage error', (_name, text, message) => {
    const file = join(dir, `bad-${Math.random().toString(36).slice(2)}.yaml`);
    if (text !== null) writeFileSync(file, text);
    let error: unknown;
    try {
      parseServeArgs(['--config', file], {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect(String(error)).toMatch(message);
  });

  it('applies the bootstrap before the first request, and again unchanged after a restart', async () => {
    const file = join(dir, 'apply.yaml');
    writeFileSync(file, YAML);
    const bootstrap = parseServeArgs(['--config', file], {}).bootstrap;
    const storage = createMemoryStorage();
    for (let start = 0; start < 2; start++) {
      const server = await startServer({ storage, ...(bootstrap ? { bootstrap } : {}) });
      try {
        const names = (await server.client().send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name);
        expect(names).toEqual(['photos', 'public-site']);
        const ci = server.client({ credentials: { accessKeyId: 'CIKEY000000000000000', secretAccessKey: 'ci-secret-key-0000000000' } });
        await ci.send(new PutObjectCommand({ Bucket: 'photos', Key: `p${start}.jpg`, Body: 'jpg' }));
        await expect(ci.send(new HeadBucketCommand({ Bucket: 'public-site' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
        await server.client().send(new PutObjectCommand({ Bucket: 'public-site', Key: 'index.html', Body: '<h1>hi</h1>' }));
        const page = await fetch(`${server.endpoint}/public-site/index.html`);
        expect([page.status, await page.text()]).toEqual([200, '<h1>hi</h1>']);
      } finally {
        await server.close();
      }
    }
  });
});
