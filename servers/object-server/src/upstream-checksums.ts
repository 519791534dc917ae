/**
 * Flexible checksums in front of an upstream that keeps none (Ceph RGW 16 neither stores `x-amz-checksum-*` nor
 * returns it). Current AWS SDKs send a CRC32 with every PutObject and UploadPart by default ("Checking object
 * integrity"), which the storage contract refuses (`Unsupported`) on storage without the `checksums`
 * capability — so without this layer a default client could not write through the gateway at all.
 *
 * The layer does what such an endpoint does, but checks first: a body's checksums are computed as it streams
 * to the upstream, compared with the client's before the last byte goes out (a mismatch fails the write with
 * `BadDigest` and nothing is stored: `prepareBody`), and answered on the write. They are not stored, so reads
 * return none, and a multipart upload's algorithm and the part and whole-object checksums of its complete are
 * not kept or checked against stored ones (each part's body was checked on upload). Storage that keeps
 * checksums is used as it is: `serve` applies this layer only when the probe found the upstream does not.
 */
import { ForwardingStorage, prepareBody } from '@strata/storage';
import type {
  Body,
  CompletedPart,
  CompleteMultipartOptions,
  MultipartUpload,
  ObjectInfo,
  PartInfo,
  PutOptions,
  StartMultipartOptions,
  Storage,
  UploadPartOptions,
} from '@strata/storage';

/** Verifies `options`' checksums on `body` as it streams; returns the body to send and its computed checksums. */
function verifying(body: Body, options: PutOptions | UploadPartOptions) {
  const { checksumAlgorithms, expectedChecksums, ...rest } = options;
  if ((checksumAlgorithms === undefined || checksumAlgorithms.length === 0) && expectedChecksums === undefined) return undefined;
  const prepared = prepareBody(body, { checksumAlgorithms: checksumAlgorithms ?? [], ...(expectedChecksums === undefined ? {} : { expectedChecksums }), md5: false });
  return { stream: prepared.stream, rest, checksums: () => prepared.digests().checksums };
}

class GatewayChecksums extends ForwardingStorage {
  override async put(key: string, body: Body, options: PutOptions = {}): Promise<ObjectInfo> {
    const v = verifying(body, options);
    if (v === undefined) return super.put(key, body, options);
    const info = await super.put(key, v.stream, v.rest);
    return { ...info, checksums: v.checksums() };
  }

  override async uploadPart(key: string, uploadId: string, partNumber: number, body: Body, options: UploadPartOptions = {}): Promise<PartInfo> {
    const v = verifying(body, options);
    if (v === undefined) return super.uploadPart(key, uploadId, partNumber, body, options);
    const part = await super.uploadPart(key, uploadId, partNumber, v.stream, v.rest);
    return { ...part, checksums: v.checksums() };
  }

  override startMultipart(key: string, options: StartMultipartOptions = {}): Promise<MultipartUpload> {
    const { checksumAlgorithms: _a, checksumType: _t, ...rest } = options;
    return super.startMultipart(key, rest);
  }

  override completeMultipart(key: string, uploadId: string, parts: CompletedPart[], options: CompleteMultipartOptions = {}): Promise<ObjectInfo> {
    const { expectedChecksums: _e, ...rest } = options;
    return super.completeMultipart(key, uploadId, parts.map(({ checksums: _c, ...part }) => part), rest);
  }
}

/** `storage` taking client checksums it cannot keep: verified in flight, answered on writes, not stored. */
export function withGatewayChecksums(storage: Storage): Storage {
  return new GatewayChecksums(storage);
}
