/**
 * The lifecycle worker's schedule: `--lifecycle-interval-ms` (and STRATA_LIFECYCLE_INTERVAL_MS) is parsed and
 * checked, and an app given an interval applies its rules by itself.
 */
import { describe, expect, it } from 'vitest';
import { CreateBucketCommand, ListObjectsV2Command, PutBucketLifecycleConfigurationCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { UsageError, parseServeArgs } from '../src/cli.ts';
import { startServer } from './helpers.ts';

describe('--lifecycle-interval-ms', () => {
  it('is read from the flag or the environment, and must be a positive integer', () => {
    expect(parseServeArgs(['--lifecycle-interval-ms', '250'], {}).lifecycleIntervalMs).toBe(250);
    expect(parseServeArgs([], { STRATA_LIFECYCLE_INTERVAL_MS: '1000' }).lifecycleIntervalMs).toBe(1000);
    expect(parseServeArgs([], {}).lifecycleIntervalMs).toBeUndefined();
    for (const bad of ['0', '-5', '1.5', 'soon']) expect(() => parseServeArgs([`--lifecycle-interval-ms=${bad}`], {})).toThrow(UsageError);
  });
});

describe('the interval', () => {
  it('runs passes without being called', async () => {
    let offset = 0;
    const server = await startServer({ objectClock: () => Date.now() + offset, lifecycle: { intervalMs: 20 } });
    try {
      const s3 = server.client();
      await s3.send(new CreateBucketCommand({ Bucket: 'timed' }));
      await s3.send(new PutObjectCommand({ Bucket: 'timed', Key: 'k', Body: 'x' }));
      await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'timed', LifecycleConfiguration: { Rules: [{ ID: 'r', Status: 'Enabled', Filter: {}, Expiration: { Days: 1 } }] } }));
      offset = 3 * 86_400_000;
      let left = 1;
      for (let i = 0; i < 100 && left > 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
        left = (await s3.send(new ListObjectsV2Command({ Bucket: 'timed' }))).KeyCount ?? 0;
      }
      expect(left).toBe(0);
    } finally {
      await server.close();
    }
  });
});
