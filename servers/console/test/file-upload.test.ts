/**
 * The console's upload engine (ui/upload) against a real object server with the real AWS SDK, in Node (the
 * engine uses only Blob, AbortController and the SDK, which Node has): a one-part PutObject, a multipart
 * upload with CRC32 part checksums, pause and resume under the same upload id, a failed part retried alone,
 * cancel aborting the multipart upload on the server, and the queue's parallelism and totals.
 *
 * Part requests are slowed or failed by a middleware at the SDK's `initialize` step, before its retry
 * strategy, so an injected failure is final for that attempt, as one past the SDK's retries would be.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileUpload } from '../ui/upload/file-upload.ts';
import { UploadQueue } from '../ui/upload/upload-queue.ts';
import { ACCESS_KEY, REGION, SECRET_KEY, placeholderAssets, startConsoleServer } from './helpers/console-server.ts';
import type { ConsoleServer } from './helpers/console-server.ts';

const MIB = 1024 * 1024;
const BUCKET = 'uploads';
let server: ConsoleServer;

beforeAll(async () => {
  server = await startConsoleServer({ assets: placeholderAssets() });
  await server.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});
afterAll(() => server.close());

/** Deterministic bytes. */
function bytes(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 7 + (i >> 12)) & 0xff;
  return out;
}
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** What a test's client did to UploadPart requests. */
interface PartTap {
  sent: number[];
  /** Part numbers that fail once, when first sent. */
  failOnce: Set<number>;
  delayMs: number;
}

/** An SDK client whose UploadPart requests are recorded, and delayed or failed as `tap` says. */
function tappedClient(tap: PartTap): S3Client {
  const client = new S3Client({ region: REGION, endpoint: server.origin, forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'UploadPartCommand') {
        const part = (args.input as { PartNumber: number }).PartNumber;
        tap.sent.push(part);
        if (tap.delayMs > 0) await sleep(tap.delayMs);
        if (tap.failOnce.delete(part)) throw Object.assign(new Error(`injected failure of part ${part}`), { name: 'InjectedFailure' });
      }
      return next(args);
    },
    { step: 'initialize', name: 'partTap' },
  );
  return client;
}

async function stored(key: string): Promise<Uint8Array> {
  const out = await server.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
}

/** Resolves once `upload` has stored `parts` parts. */
const partsDone = (upload: FileUpload, parts: number) =>
  new Promise<void>((resolve) => {
    const off = upload.subscribe(() => upload.parts.done >= parts && (off(), resolve()));
  });

describe('FileUpload', () => {
  it('sends a small file as one PutObject with a CRC32 checksum', async () => {
    const data = bytes(1000, 1);
    const upload = new FileUpload({ client: server.s3, bucket: BUCKET, key: 'small.bin', file: new Blob([data], { type: 'application/x-test' }) });
    await upload.start();
    expect([upload.status, upload.uploadedBytes, upload.parts]).toEqual(['done', 1000, { total: 1, done: 1, failed: 0 }]);
    const head = await server.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'small.bin', ChecksumMode: 'ENABLED' }));
    expect([head.ContentType, head.ChecksumCRC32 !== undefined, sha(await stored('small.bin'))]).toEqual(['application/x-test', true, sha(data)]);
  });

  it('sends a large file as a multipart upload of minimum-size parts with a composite CRC32', async () => {
    const data = bytes(12 * MIB + 5, 2);
    const tap: PartTap = { sent: [], failOnce: new Set(), delayMs: 0 };
    const upload = new FileUpload({ client: tappedClient(tap), bucket: BUCKET, key: 'big.bin', file: new Blob([data]), contentType: 'video/x-test' });
    await upload.start();
    expect([upload.status, upload.uploadedBytes, upload.parts]).toEqual(['done', data.length, { total: 3, done: 3, failed: 0 }]);
    expect(tap.sent.sort()).toEqual([1, 2, 3]);
    const head = await server.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'big.bin', ChecksumMode: 'ENABLED' }));
    expect([head.ETag?.endsWith('-3"'), head.ChecksumType, head.ContentType]).toEqual([true, 'COMPOSITE', 'video/x-test']);
    expect(sha(await stored('big.bin'))).toBe(sha(data));
  });

  it('pauses (parts in flight dropped) and resumes under the same upload id, sending only the parts not stored', async () => {
    const data = bytes(15 * MIB, 3);
    const tap: PartTap = { sent: [], failOnce: new Set(), delayMs: 150 };
    const upload = new FileUpload({ client: tappedClient(tap), bucket: BUCKET, key: 'paused.bin', file: new Blob([data]), concurrency: 1 });
    const run = upload.start();
    await partsDone(upload, 1);
    await upload.pause();
    await run;
    expect([upload.status, upload.parts.done]).toEqual(['paused', 1]);
    const inProgress = await server.s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    expect(inProgress.Uploads?.map((u) => u.Key)).toEqual(['paused.bin']);
    await upload.start();
    expect([upload.status, upload.uploadedBytes]).toEqual(['done', data.length]);
    // Part 1 once; part 2 once or twice (it was in flight when the pause came); part 3 once.
    expect(tap.sent.filter((p) => p === 1)).toEqual([1]);
    expect(tap.sent.filter((p) => p === 3)).toEqual([3]);
    expect(sha(await stored('paused.bin'))).toBe(sha(data));
    expect((await server.s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? []).toEqual([]);
  });

  it('marks a failed part, goes on with the others, stops as failed, and a retry sends the failed part alone', async () => {
    const data = bytes(11 * MIB, 4);
    const tap: PartTap = { sent: [], failOnce: new Set([2]), delayMs: 0 };
    const upload = new FileUpload({ client: tappedClient(tap), bucket: BUCKET, key: 'retried.bin', file: new Blob([data]) });
    await upload.start();
    expect([upload.status, upload.parts]).toEqual(['failed', { total: 3, done: 2, failed: 1 }]);
    expect(upload.error).toMatch(/1 of 3 parts failed.*injected failure of part 2/);
    tap.sent = [];
    await upload.start();
    expect([upload.status, tap.sent]).toEqual(['done', [2]]);
    expect(sha(await stored('retried.bin'))).toBe(sha(data));
  });

  it('cancels: the multipart upload is aborted on the server and no object appears', async () => {
    const tap: PartTap = { sent: [], failOnce: new Set(), delayMs: 150 };
    const upload = new FileUpload({ client: tappedClient(tap), bucket: BUCKET, key: 'cancelled.bin', file: new Blob([bytes(15 * MIB, 5)]), concurrency: 1 });
    const run = upload.start();
    await partsDone(upload, 1);
    await upload.cancel();
    await run;
    expect(upload.status).toBe('cancelled');
    expect((await server.s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'cancelled' }))).Uploads ?? []).toEqual([]);
    await expect(server.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'cancelled.bin' }))).rejects.toMatchObject({ name: 'NotFound' });
    await upload.start(); // a cancelled upload stays cancelled
    expect(upload.status).toBe('cancelled');
  });
});

describe('UploadQueue', () => {
  it('uploads at most parallelFiles files at once, sums the totals and reports each stored file', async () => {
    const tap: PartTap = { sent: [], failOnce: new Set(), delayMs: 0 };
    const storedKeys: string[] = [];
    const queue = new UploadQueue({ client: tappedClient(tap), parallelFiles: 2, onStored: (u) => storedKeys.push(u.key) });
    let mostAtOnce = 0;
    queue.subscribe(() => (mostAtOnce = Math.max(mostAtOnce, queue.uploads.filter((u) => u.status === 'uploading').length)));
    const files = Array.from({ length: 6 }, (_, i) => ({ bucket: BUCKET, key: `queue/f${i}`, file: new Blob([bytes(1000 + i, i)]) }));
    queue.add(files);
    await expect.poll(() => queue.totals().done, { timeout: 10_000 }).toBe(6);
    expect(queue.totals()).toEqual({ files: 6, done: 6, failed: 0, bytes: 6015, uploadedBytes: 6015 });
    expect(mostAtOnce).toBe(2);
    expect(storedKeys.sort()).toEqual(files.map((f) => f.key));
    queue.clearFinished();
    expect(queue.uploads).toEqual([]);
  });
});
