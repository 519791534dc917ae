/**
 * `withContentTypeFromExtension`: writes that name no Content-Type get one from the key's extension
 * (`contentTypeFromKey`, a small built-in table), as a file server would answer for `photo.jpg`. Opt-in: the
 * contract stores what the caller gives, and S3 answers `application/octet-stream` for an object stored
 * without a type (AWS PutObject, Content-Type), so a service that wants browsers to render what it serves
 * adds this layer.
 *
 * It applies to put, startMultipart (the completed object's type), and copy and move with metadataDirective
 * `replace` (from the destination's extension); a copy that keeps the source's metadata keeps its type, or
 * its lack of one. An explicit `contentType` always wins, even an empty one.
 */
import { CONTENT_TYPES, contentTypeFromKey } from '../content-types.ts';
import type { Body, CopyOptions, MultipartUpload, ObjectInfo, PutOptions, StartMultipartOptions, Storage } from '../types.ts';
import { ForwardingStorage } from './forwarding.ts';

/** Options of {@link withContentTypeFromExtension}. */
export interface ContentTypeOptions {
  /**
   * Content-Types by lower-case extension, replacing the built-in table; extend it with
   * `{ ...CONTENT_TYPES, heif: 'image/heif' }`. @default CONTENT_TYPES
   */
  types?: Readonly<Record<string, string>>;
}

class ContentTypeStorage extends ForwardingStorage {
  readonly #types: Readonly<Record<string, string>>;

  constructor(inner: Storage, types: Readonly<Record<string, string>>) {
    super(inner);
    this.#types = types;
  }

  /** `options` with the type of `key` filled in, when they name none and the extension is known. */
  #withType<T extends { contentType?: string }>(key: string, options: T): T {
    if (options.contentType !== undefined || typeof key !== 'string') return options;
    const contentType = contentTypeFromKey(key, this.#types);
    return contentType === undefined ? options : { ...options, contentType };
  }

  override put(key: string, body: Body, options: PutOptions = {}): Promise<ObjectInfo> {
    return super.put(key, body, this.#withType(key, options));
  }

  override startMultipart(key: string, options: StartMultipartOptions = {}): Promise<MultipartUpload> {
    return super.startMultipart(key, this.#withType(key, options));
  }

  override copy(source: string, destination: string, options: CopyOptions = {}): Promise<ObjectInfo> {
    // Only a replace takes its headers from the options; a plain copy keeps the source's (AWS CopyObject,
    // x-amz-metadata-directive).
    const opts = options.metadataDirective === 'replace' ? this.#withType(destination, options) : options;
    return super.copy(source, destination, opts);
  }
}

/**
 * Wraps `storage` so put, startMultipart and replacing copies and moves without a `contentType` get the one of
 * the key's extension. Throws `TypeError` at once unless `types` is an object.
 */
export function withContentTypeFromExtension(storage: Storage, options: ContentTypeOptions = {}): Storage {
  const types = options.types ?? CONTENT_TYPES;
  if (typeof types !== 'object' || types === null) throw new TypeError('withContentTypeFromExtension: types must be an object of extension → Content-Type');
  return new ContentTypeStorage(storage, types);
}
