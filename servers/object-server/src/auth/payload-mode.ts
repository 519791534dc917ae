/**
 * Reading `x-amz-content-sha256`: which of S3's payload modes a request uses. The accepted values are listed
 * in "Authenticating Requests: Using the Authorization Header"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html):
 * a hex SHA-256, `UNSIGNED-PAYLOAD`, `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`,
 * `STREAMING-UNSIGNED-PAYLOAD-TRAILER`; the SigV4a (`STREAMING-AWS4-ECDSA-P256-SHA256-…`) forms are refused.
 */
import { S3Error } from '../s3-errors.ts';
import { CONTENT_SHA256, type PayloadMode } from './types.ts';

const HEX64 = /^[0-9a-fA-F]{64}$/;

function invalid(value: string): S3Error {
  if (value.startsWith('STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD')) {
    return new S3Error('NotImplemented', 'Signature Version 4A streaming payloads are not supported; use AWS4-HMAC-SHA256.');
  }
  return new S3Error('InvalidArgument', "The provided 'x-amz-content-sha256' header must be a valid SHA256.", {
    extra: { ArgumentName: 'x-amz-content-sha256', ArgumentValue: value },
  });
}

/** What a signed streaming body needs to verify its chunks, from the request's authentication. */
export interface StreamingSeed {
  seedSignature: string;
  signingKey: Buffer;
  scope: string;
  amzDate: string;
}

/** The payload mode of a request signed in the Authorization header. */
export function payloadFromHeader(value: string, seed: StreamingSeed): PayloadMode {
  switch (value) {
    case CONTENT_SHA256.unsigned:
      return { kind: 'unsigned' };
    case CONTENT_SHA256.streamingSigned:
      return { kind: 'streaming-signed', ...seed, trailer: false };
    case CONTENT_SHA256.streamingSignedTrailer:
      return { kind: 'streaming-signed', ...seed, trailer: true };
    case CONTENT_SHA256.streamingUnsignedTrailer:
      return { kind: 'streaming-unsigned-trailer' };
    default:
      if (HEX64.test(value)) return { kind: 'sha256', hex: value.toLowerCase() };
      throw invalid(value);
  }
}

/** The payload mode of a presigned URL: unsigned, or the hash the signer put in the query. */
export function payloadForPresigned(value: string): PayloadMode {
  if (value === CONTENT_SHA256.unsigned) return { kind: 'unsigned' };
  if (HEX64.test(value)) return { kind: 'sha256', hex: value.toLowerCase() };
  throw invalid(value);
}

/**
 * The payload mode of an anonymous request: nothing is signed, but a hash or an unsigned aws-chunked body
 * with a trailing checksum is still honoured (the body must be decoded either way).
 */
export function payloadForAnonymous(value: string | undefined): PayloadMode {
  if (value === undefined || value === CONTENT_SHA256.unsigned) return { kind: 'unsigned' };
  if (value === CONTENT_SHA256.streamingUnsignedTrailer) return { kind: 'streaming-unsigned-trailer' };
  if (HEX64.test(value)) return { kind: 'sha256', hex: value.toLowerCase() };
  throw invalid(value);
}
