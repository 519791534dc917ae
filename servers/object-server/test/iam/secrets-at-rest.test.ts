/**
 * User secrets at rest: with an SSE master key the stored user record holds each secret sealed (AES-256-GCM,
 * with the master key's id and the form's version), never in plain text, and a restart over the same storage
 * and key still authenticates the user with the AWS SDK; a record written in plain text (before sealing, or by
 * a server without a master key) is read and is sealed at the user's next change; a server started with another
 * master key refuses to start rather than fail every signature. Without a master key records stay plain.
 */
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createMemoryStorage, readText } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers.ts';
import { createUser, iamCall } from './iam-client.ts';

const recordOf = async (storage: Storage, name: string) => readText(await storage.get(`.strata/iam/users/${Buffer.from(name).toString('hex')}`));
const WRITER = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::sealed/*' }] };

describe('user secrets at rest', () => {
  it('with a master key, the record holds no secret, and a restart still authenticates', async () => {
    const storage = createMemoryStorage();
    const sseMasterKey = randomBytes(32);
    const first = await startServer({ storage, sseMasterKey });
    await first.client().send(new CreateBucketCommand({ Bucket: 'sealed' }));
    const key = await createUser(first.endpoint, first.client(), 'sealed-user', WRITER);
    const record = await recordOf(storage, 'sealed-user');
    expect(record).not.toContain(key.secretAccessKey);
    expect(JSON.parse(record)).toMatchObject({ accessKeys: [{ accessKeyId: key.accessKeyId, sealedSecret: { alg: 'AES-256-GCM', v: 1, keyId: expect.stringMatching(/^[0-9a-f]{16}$/) } }] });
    await first.client({ credentials: key }).send(new PutObjectCommand({ Bucket: 'sealed', Key: 'before', Body: 'x' }));
    await first.close();

    const second = await startServer({ storage, sseMasterKey });
    await second.client({ credentials: key }).send(new PutObjectCommand({ Bucket: 'sealed', Key: 'after', Body: 'x' }));
    await second.close();
  });

  it('reads a plain record, seals it at the next change; another master key stops the start', async () => {
    const storage = createMemoryStorage();
    const plainServer = await startServer({ storage });
    await plainServer.client().send(new CreateBucketCommand({ Bucket: 'sealed' }));
    const key = await createUser(plainServer.endpoint, plainServer.client(), 'legacy', WRITER);
    // Without a master key the secret is stored as it is (the README says so).
    expect(await recordOf(storage, 'legacy')).toContain(key.secretAccessKey);
    await plainServer.close();

    const sseMasterKey = randomBytes(32);
    const sealing = await startServer({ storage, sseMasterKey });
    await sealing.client({ credentials: key }).send(new PutObjectCommand({ Bucket: 'sealed', Key: 'legacy', Body: 'x' }));
    expect(await recordOf(storage, 'legacy')).toContain(key.secretAccessKey);
    const changed = await iamCall(sealing.endpoint, sealing.client(), { Action: 'PutUserPolicy', UserName: 'legacy', PolicyName: 'extra', PolicyDocument: JSON.stringify(WRITER) });
    expect(changed.status).toBe(200);
    expect(await recordOf(storage, 'legacy')).not.toContain(key.secretAccessKey);
    await sealing.close();

    await expect(startServer({ storage, sseMasterKey: randomBytes(32) })).rejects.toThrow(/sealed under master key [0-9a-f]{16}, not this server's/);
    await expect(startServer({ storage })).rejects.toThrow(/is sealed, and the server has no SSE master key/);
  });
});
