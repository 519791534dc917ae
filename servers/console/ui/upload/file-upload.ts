/**
 * One file's upload, with pause, resume, cancel and retry of the parts that failed. A file of one part is a
 * PutObject; a larger one is a multipart upload (CreateMultipartUpload, UploadPart per part, three at a time,
 * CompleteMultipartUpload — https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html) with CRC32
 * checksums the SDK computes for every part (the object gets a composite checksum).
 *
 * - **Pause** aborts the parts in flight; **resume** sends the parts not yet stored, under the same upload id.
 * - A part that fails (after the SDK's own retries) is marked failed while the other parts go on; the upload
 *   then stops as `failed`, and **retry** sends only the failed and unsent parts.
 * - **Cancel** aborts the parts in flight and the multipart upload (AbortMultipartUpload), so the server frees
 *   the stored parts.
 *
 * Progress counts the bytes of stored parts (a browser `fetch` reports no upload progress within a request).
 */
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import type { CompletedPart, S3Client } from '@aws-sdk/client-s3';
import { isMultipart, partSizeFor, planParts } from './part-plan.ts';
import type { PartRange } from './part-plan.ts';

/** Where an upload is. */
export type UploadStatus = 'queued' | 'uploading' | 'paused' | 'failed' | 'done' | 'cancelled';

/** What to upload where. */
export interface FileUploadOptions {
  client: S3Client;
  bucket: string;
  key: string;
  file: Blob;
  /** @default the file's own type, else none */
  contentType?: string;
  /** The server's minimum part size. @default 5 MiB */
  minPartSize?: number;
  /** Parts in flight at once. @default 3 */
  concurrency?: number;
}

interface PartState extends PartRange {
  state: 'pending' | 'sending' | 'done' | 'failed';
  completed?: CompletedPart;
}

const isAbort = (e: unknown) => e instanceof Error && e.name === 'AbortError';
let nextId = 1;

/** One file's upload. Call {@link FileUpload.start}; watch it with {@link FileUpload.subscribe}. */
export class FileUpload {
  /** Unique in the tab (the same key may be uploaded twice). */
  readonly id = nextId++;
  readonly key: string;
  readonly size: number;
  #status: UploadStatus = 'queued';
  #error: string | undefined;
  #uploadedBytes = 0;
  readonly #options: FileUploadOptions;
  readonly #parts: PartState[];
  readonly #multipart: boolean;
  #uploadId: string | undefined;
  #abort: AbortController | undefined;
  #run: Promise<void> | undefined;
  readonly #listeners = new Set<() => void>();

  constructor(options: FileUploadOptions) {
    this.#options = options;
    this.key = options.key;
    this.size = options.file.size;
    const partSize = partSizeFor(this.size, options.minPartSize);
    this.#multipart = isMultipart(this.size, partSize);
    this.#parts = (this.#multipart ? planParts(this.size, partSize) : [{ partNumber: 1, start: 0, end: this.size }]).map((p) => ({ ...p, state: 'pending' }));
  }

  /** Where the upload is. */
  get status(): UploadStatus {
    return this.#status;
  }

  /** Why the upload failed, when it did. */
  get error(): string | undefined {
    return this.#error;
  }

  /** Bytes of the parts the server has stored. */
  get uploadedBytes(): number {
    return this.#uploadedBytes;
  }

  /** The number of parts, and how many are stored. */
  get parts(): { total: number; done: number; failed: number } {
    return { total: this.#parts.length, done: this.#count('done'), failed: this.#count('failed') };
  }

  /** Calls `listener` on every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts (or resumes, or retries) the upload; resolves when it is done, paused, failed or cancelled. */
  start(): Promise<void> {
    if (this.status === 'done' || this.status === 'cancelled') return Promise.resolve();
    if (this.#run) return this.#run;
    for (const p of this.#parts) if (p.state === 'failed') p.state = 'pending';
    this.#error = undefined;
    this.#abort = new AbortController();
    this.#set('uploading');
    this.#run = this.#send(this.#abort.signal).finally(() => (this.#run = undefined));
    return this.#run;
  }

  /** Stops sending (or keeps a queued upload from starting); parts in flight are dropped and re-sent on resume. */
  async pause(): Promise<void> {
    if (this.status === 'queued') return this.#set('paused');
    if (this.status !== 'uploading') return;
    this.#set('paused');
    this.#abort?.abort();
    await this.#run;
  }

  /** Stops for good and discards what the server stored (AbortMultipartUpload). */
  async cancel(): Promise<void> {
    if (this.status === 'done' || this.status === 'cancelled') return;
    this.#set('cancelled');
    this.#abort?.abort();
    await this.#run;
    if (this.#uploadId !== undefined) {
      const { client, bucket, key } = this.#options;
      // Best effort: a server that lost the upload (NoSuchUpload) has nothing left to free.
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: this.#uploadId })).catch(() => undefined);
    }
  }

  async #send(signal: AbortSignal): Promise<void> {
    try {
      if (this.#multipart) await this.#sendMultipart(signal);
      else await this.#sendWhole(signal);
      if (!signal.aborted) this.#set('done');
    } catch (e) {
      if (signal.aborted || isAbort(e)) return; // paused or cancelled: the status says which
      this.#error = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
      this.#set('failed');
    }
  }

  async #sendWhole(signal: AbortSignal): Promise<void> {
    const { client, bucket, key, file } = this.#options;
    const part = this.#parts[0] as PartState;
    // Bytes, not the Blob: the SDK then computes the CRC32 header itself and sends a Content-Length.
    const body = new Uint8Array(await file.arrayBuffer());
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: this.#contentType() }), { abortSignal: signal });
    part.state = 'done';
    this.#uploadedBytes = this.size;
  }

  async #sendMultipart(signal: AbortSignal): Promise<void> {
    const { client, bucket, key } = this.#options;
    if (this.#uploadId === undefined) {
      const created = await client.send(
        new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: this.#contentType(), ChecksumAlgorithm: 'CRC32' }),
        { abortSignal: signal },
      );
      if (!created.UploadId) throw new Error('the server returned no upload id');
      this.#uploadId = created.UploadId;
    }
    const workers = Array.from({ length: Math.max(1, this.#options.concurrency ?? 3) }, () => this.#partWorker(signal));
    await Promise.all(workers);
    if (signal.aborted) return;
    const failed = this.#count('failed');
    if (failed > 0) throw new Error(`${failed} of ${this.#parts.length} parts failed (${this.#error ?? 'no reason given'})`);
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: this.#uploadId,
        MultipartUpload: { Parts: this.#parts.map((p) => p.completed as CompletedPart) },
      }),
      { abortSignal: signal },
    );
  }

  /** Sends pending parts one after another until none is left or the upload is aborted. */
  async #partWorker(signal: AbortSignal): Promise<void> {
    const { client, bucket, key, file } = this.#options;
    for (let part = this.#nextPending(); part && !signal.aborted; part = this.#nextPending()) {
      part.state = 'sending';
      try {
        const body = new Uint8Array(await file.slice(part.start, part.end).arrayBuffer());
        const out = await client.send(
          new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: this.#uploadId, PartNumber: part.partNumber, Body: body, ChecksumAlgorithm: 'CRC32' }),
          { abortSignal: signal },
        );
        part.completed = { PartNumber: part.partNumber, ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32 };
        part.state = 'done';
        this.#uploadedBytes += part.end - part.start;
      } catch (e) {
        part.state = signal.aborted || isAbort(e) ? 'pending' : 'failed';
        if (part.state === 'failed') this.#error = e instanceof Error ? e.message : String(e);
      }
      this.#emit();
    }
  }

  #nextPending(): PartState | undefined {
    return this.#parts.find((p) => p.state === 'pending');
  }

  #count(state: PartState['state']): number {
    return this.#parts.reduce((n, p) => n + (p.state === state ? 1 : 0), 0);
  }

  #contentType(): string | undefined {
    return this.#options.contentType || this.#options.file.type || undefined;
  }

  #set(status: UploadStatus): void {
    // A pause or cancel wins over the outcome of the requests it aborted.
    if ((this.#status === 'paused' || this.#status === 'cancelled') && (status === 'done' || status === 'failed')) return;
    this.#status = status;
    this.#emit();
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}
