/**
 * ACLs from the command-line clients: `aws s3api put-object-acl` / `get-object-acl`, and s3cmd's
 * `setacl --acl-public` (which reads the ACL, adds the AllUsers grant and writes the AccessControlPolicy back)
 * and `info` (which reads the grantees' xsi:type). Both on a bucket where ACLs apply (ObjectWriter).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '#system-tools';
import { ACCESS_KEY, REGION, SECRET_KEY, startServer } from '../helpers.ts';
import type { TestServer } from '../helpers.ts';

const run = promisify(execFile);
let server: TestServer;
let work: string;
beforeAll(async () => {
  server = await startServer();
  work = await mkdtemp(join(os.tmpdir(), 'acl-cli-'));
  const root = server.client();
  await root.send(new CreateBucketCommand({ Bucket: 'acl-cli', ObjectOwnership: 'ObjectWriter' }));
  await root.send(new PutObjectCommand({ Bucket: 'acl-cli', Key: 'by-aws.txt', Body: 'aws' }));
  await root.send(new PutObjectCommand({ Bucket: 'acl-cli', Key: 'by-s3cmd.txt', Body: 's3cmd' }));
});
afterAll(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.skipIf(skipWithout('aws'))('the aws CLI (/usr/bin/aws)', () => {
  it('put-object-acl --acl public-read makes the object readable anonymously; get-object-acl shows the grant', { timeout: 60_000 }, async () => {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY, AWS_DEFAULT_REGION: REGION, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    const aws = (...args: string[]) => run('/usr/bin/aws', ['--endpoint-url', server.endpoint, '--output', 'json', 's3api', ...args], { env, timeout: 30_000 });
    expect((await fetch(`${server.endpoint}/acl-cli/by-aws.txt`)).status).toBe(403);
    await aws('put-object-acl', '--bucket', 'acl-cli', '--key', 'by-aws.txt', '--acl', 'public-read');
    expect(await (await fetch(`${server.endpoint}/acl-cli/by-aws.txt`)).text()).toBe('aws');
    const { stdout } = await aws('get-object-acl', '--bucket', 'acl-cli', '--key', 'by-aws.txt');
    expect(JSON.parse(stdout).Grants).toContainEqual({ Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' });
  });
});

describe.skipIf(skipWithout('s3cmd'))('s3cmd (/usr/bin/s3cmd)', () => {
  it('setacl --acl-public, then info lists the anonymous grant', { timeout: 60_000 }, async () => {
    const cfg = join(work, 's3cfg');
    const host = `127.0.0.1:${server.port}`;
    await writeFile(cfg, ['[default]', `access_key = ${ACCESS_KEY}`, `secret_key = ${SECRET_KEY}`, `host_base = ${host}`, `host_bucket = ${host}`, 'use_https = False', 'signature_v2 = False', `bucket_location = ${REGION}`, ''].join('\n'));
    const s3cmd = (...args: string[]) => run('/usr/bin/s3cmd', ['-c', cfg, ...args], { timeout: 30_000 });
    expect((await fetch(`${server.endpoint}/acl-cli/by-s3cmd.txt`)).status).toBe(403);
    await s3cmd('setacl', '--acl-public', 's3://acl-cli/by-s3cmd.txt');
    expect(await (await fetch(`${server.endpoint}/acl-cli/by-s3cmd.txt`)).text()).toBe('s3cmd');
    const info = (await s3cmd('info', 's3://acl-cli/by-s3cmd.txt')).stdout;
    expect(info).toMatch(/ACL:\s+\*anon\*: READ/);
    expect(info).toMatch(/ACL:\s+strata: FULL_CONTROL/);
  });
});
