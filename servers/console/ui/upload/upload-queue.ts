/**
 * The uploads of a console tab: files wait in a queue and at most `parallelFiles` upload at once (each with its
 * own parts in flight), so a dropped folder of thousands of small files does not open thousands of requests.
 * The queue sums the totals the upload panel's overall progress bar shows.
 */
import { FileUpload } from './file-upload.ts';
import type { FileUploadOptions } from './file-upload.ts';

/** A file to upload and the key it goes to. */
export interface UploadRequest {
  bucket: string;
  key: string;
  file: Blob;
}

/** The queue's sums, over the uploads not cancelled. */
export interface UploadTotals {
  files: number;
  done: number;
  failed: number;
  bytes: number;
  uploadedBytes: number;
}

/** Options of {@link UploadQueue}. */
export interface UploadQueueOptions {
  client: FileUploadOptions['client'];
  /** The server's minimum part size. @default 5 MiB */
  minPartSize?: number;
  /** Files uploading at once. @default 3 */
  parallelFiles?: number;
  /** Called when a file is stored (the browser refreshes its listing). */
  onStored?: (upload: FileUpload, bucket: string) => void;
}

/** The tab's uploads. */
export class UploadQueue {
  readonly #options: UploadQueueOptions;
  readonly #uploads: { upload: FileUpload; bucket: string }[] = [];
  readonly #listeners = new Set<() => void>();
  #version = 0;

  constructor(options: UploadQueueOptions) {
    this.#options = options;
  }

  /** Every upload, oldest first. */
  get uploads(): readonly FileUpload[] {
    return this.#uploads.map((u) => u.upload);
  }

  /** A number that changes whenever anything in the queue does (for re-rendering). */
  get version(): number {
    return this.#version;
  }

  /** Queues files and starts as many as the parallelism allows. */
  add(requests: readonly UploadRequest[]): FileUpload[] {
    const added = requests.map((r) => {
      const upload = new FileUpload({ client: this.#options.client, bucket: r.bucket, key: r.key, file: r.file, minPartSize: this.#options.minPartSize });
      upload.subscribe(() => this.#changed());
      this.#uploads.push({ upload, bucket: r.bucket });
      return upload;
    });
    this.#changed();
    this.#pump();
    return added;
  }

  /** Resumes a paused upload or retries a failed one (its failed and unsent parts). */
  resume(upload: FileUpload): void {
    this.#track(upload, upload.start());
  }

  /** Pauses every upload in flight and keeps queued ones from starting. */
  async pauseAll(): Promise<void> {
    await Promise.all(this.uploads.map((u) => u.pause()));
  }

  /** Removes finished and cancelled uploads from the list. */
  clearFinished(): void {
    for (let i = this.#uploads.length - 1; i >= 0; i--) {
      const s = this.#uploads[i]?.upload.status;
      if (s === 'done' || s === 'cancelled') this.#uploads.splice(i, 1);
    }
    this.#changed();
  }

  /** The sums over the uploads not cancelled. */
  totals(): UploadTotals {
    const live = this.uploads.filter((u) => u.status !== 'cancelled');
    return {
      files: live.length,
      done: live.filter((u) => u.status === 'done').length,
      failed: live.filter((u) => u.status === 'failed').length,
      bytes: live.reduce((n, u) => n + u.size, 0),
      uploadedBytes: live.reduce((n, u) => n + u.uploadedBytes, 0),
    };
  }

  /** Calls `listener` on every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Cancels everything (sign-out): in-flight multipart uploads are aborted on the server. */
  async cancelAll(): Promise<void> {
    await Promise.all(this.uploads.map((u) => u.cancel()));
  }

  /** Starts queued uploads while fewer than `parallelFiles` are uploading. */
  #pump(): void {
    const limit = this.#options.parallelFiles ?? 3;
    let running = this.uploads.filter((u) => u.status === 'uploading').length;
    for (const upload of this.uploads) {
      if (running >= limit) break;
      if (upload.status !== 'queued') continue;
      running++;
      this.#track(upload, upload.start());
    }
  }

  #track(upload: FileUpload, run: Promise<void>): void {
    void run.then(() => {
      const entry = this.#uploads.find((u) => u.upload === upload);
      if (upload.status === 'done' && entry) this.#options.onStored?.(upload, entry.bucket);
      this.#pump();
    });
  }

  #changed(): void {
    this.#version++;
    for (const listener of this.#listeners) listener();
  }
}
