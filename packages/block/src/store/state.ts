/**
 * The key store's in-memory state: the ordered object index, the in-progress uploads and the reference counts
 * of extents (an extent is shared by design after a copy, a setTags or a multipart complete). `apply` is the
 * one place records change the state — at commit and at recovery alike — and returns the extents whose last
 * reference went away (to be freed once the record is durable).
 */
import type { Extent, IndexView, JournalRecord, StoredObject, StoredUpload } from './records.ts';
import { KeyIndex } from './key-index.ts';

/** The index, uploads and extent reference counts. */
export class StoreState implements IndexView {
  readonly objects = new KeyIndex<StoredObject>();
  readonly uploads = new Map<string, StoredUpload>();
  /** Start page → [pages, references]. */
  readonly refs = new Map<number, [number, number]>();

  object(key: string): StoredObject | undefined {
    return this.objects.get(key);
  }

  upload(uploadId: string): StoredUpload | undefined {
    return this.uploads.get(uploadId);
  }

  #ref(extents: readonly Extent[]): void {
    for (const e of extents) {
      const r = this.refs.get(e[0]);
      if (r) r[1]++;
      else this.refs.set(e[0], [e[1], 1]);
    }
  }

  #unref(extents: readonly Extent[], freed: Extent[]): void {
    for (const e of extents) {
      const r = this.refs.get(e[0]);
      if (!r) throw new Error(`state: extent at page ${e[0]} has no references`);
      if (--r[1] === 0) {
        this.refs.delete(e[0]);
        freed.push(e);
      }
    }
  }

  #uploadExtents(u: StoredUpload): Extent[] {
    return Object.values(u.parts).flatMap((p) => p.extents);
  }

  /** Applies one record; returns the extents no longer referenced. */
  apply(rec: JournalRecord): Extent[] {
    const freed: Extent[] = [];
    switch (rec.op) {
      case 'put': {
        this.#ref(rec.obj.extents);
        const old = this.objects.get(rec.obj.key);
        this.objects.set(rec.obj.key, rec.obj);
        if (old) this.#unref(old.extents, freed);
        break;
      }
      case 'del': {
        const old = this.objects.get(rec.key);
        if (old) {
          this.objects.delete(rec.key);
          this.#unref(old.extents, freed);
        }
        break;
      }
      case 'mpStart':
        this.uploads.set(rec.upload.uploadId, { ...rec.upload, parts: { ...rec.upload.parts } });
        this.#ref(this.#uploadExtents(rec.upload));
        break;
      case 'mpPart': {
        const u = this.uploads.get(rec.uploadId);
        if (!u) throw new Error(`state: part for unknown upload ${rec.uploadId}`);
        this.#ref(rec.part.extents);
        const old = u.parts[rec.part.partNumber];
        u.parts[rec.part.partNumber] = rec.part;
        if (old) this.#unref(old.extents, freed);
        break;
      }
      case 'mpAbort':
      case 'mpDone': {
        const u = this.uploads.get(rec.uploadId);
        if (!u) throw new Error(`state: unknown upload ${rec.uploadId}`);
        if (rec.op === 'mpDone') {
          this.#ref(rec.obj.extents);
          const old = this.objects.get(rec.obj.key);
          this.objects.set(rec.obj.key, rec.obj);
          if (old) this.#unref(old.extents, freed);
        }
        this.uploads.delete(rec.uploadId);
        this.#unref(this.#uploadExtents(u), freed);
        break;
      }
    }
    return freed;
  }

  /** Every referenced extent once, with its reference count. */
  referenced(): [page: number, pages: number, count: number][] {
    return [...this.refs].map(([p, [n, c]]) => [p, n, c]);
  }
}

/**
 * A view of the state plus the not-yet-durable records of the current commit batch, so conditions of later
 * operations in a batch see the effects of earlier ones (the commit point is single-threaded).
 */
export class BatchOverlay implements IndexView {
  readonly #base: IndexView;
  readonly #objects = new Map<string, StoredObject | null>();
  readonly #uploads = new Map<string, StoredUpload | null>();

  constructor(base: IndexView) {
    this.#base = base;
  }

  object(key: string): StoredObject | undefined {
    const o = this.#objects.get(key);
    return o === null ? undefined : (o ?? this.#base.object(key));
  }

  upload(uploadId: string): StoredUpload | undefined {
    const u = this.#uploads.get(uploadId);
    return u === null ? undefined : (u ?? this.#base.upload(uploadId));
  }

  /** Records the effect of `rec` (already validated against this view). */
  note(rec: JournalRecord): void {
    switch (rec.op) {
      case 'put':
        this.#objects.set(rec.obj.key, rec.obj);
        break;
      case 'del':
        this.#objects.set(rec.key, null);
        break;
      case 'mpStart':
        this.#uploads.set(rec.upload.uploadId, rec.upload);
        break;
      case 'mpPart': {
        const u = this.upload(rec.uploadId);
        if (u) this.#uploads.set(rec.uploadId, { ...u, parts: { ...u.parts, [rec.part.partNumber]: rec.part } });
        break;
      }
      case 'mpAbort':
        this.#uploads.set(rec.uploadId, null);
        break;
      case 'mpDone':
        this.#uploads.set(rec.uploadId, null);
        this.#objects.set(rec.obj.key, rec.obj);
        break;
    }
  }
}
