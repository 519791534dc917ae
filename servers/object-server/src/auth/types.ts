/**
 * The shapes the auth layer exchanges with the app: what a request looks like to the authenticator, what
 * it answers, and how the request body has to be read afterwards.
 *
 * AWS references: "Authenticating Requests (AWS Signature Version 4)"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html) and the values of
 * `x-amz-content-sha256` listed in "Authenticating Requests: Using the Authorization Header"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html).
 */

/** One access key pair the server accepts. More than one can be configured. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Incoming headers as Node (and fastify) present them: lower-case names, repeated values as arrays. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/** What the authenticator needs of a request; nothing is read from the body. */
export interface AuthRequest {
  /** The HTTP method, e.g. `GET`. */
  method: string;
  /** Path and raw query exactly as received (`request.raw.url`), still percent-encoded. */
  rawUrl: string;
  headers: RequestHeaders;
  /**
   * The bucket when it came from the Host header (virtual-hosted style): SigV2's canonicalized resource starts
   * with `/bucket` whichever addressing the request used.
   */
  virtualHostBucket?: string | undefined;
  /** `iam` for a request to the IAM query API, whose credential scope must then name `iam`. @default 's3' */
  service?: 'iam' | undefined;
  /** The body's hex SHA-256, for IAM query requests, which sign it without an `x-amz-content-sha256` header. */
  payloadHash?: string | undefined;
}

/**
 * How the body of an authenticated request is protected, from `x-amz-content-sha256`:
 * - `unsigned`: `UNSIGNED-PAYLOAD` (presigned URLs, most anonymous requests) — read as is;
 * - `sha256`: a hex SHA-256 the body must hash to;
 * - `streaming-signed`: `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`, an aws-chunked body whose every chunk
 *   is signed, chained from the seed signature (the request's own signature);
 * - `streaming-unsigned-trailer`: `STREAMING-UNSIGNED-PAYLOAD-TRAILER`, aws-chunked without signatures,
 *   ending in trailing headers (the flexible checksum).
 */
export type PayloadMode =
  | { kind: 'unsigned' }
  | { kind: 'sha256'; hex: string }
  | {
      kind: 'streaming-signed';
      /** The request's signature: the "previous signature" of the first chunk. */
      seedSignature: string;
      /** The derived SigV4 signing key of the request's scope. */
      signingKey: Buffer;
      /** `yyyymmdd/region/s3/aws4_request`. */
      scope: string;
      /** The request timestamp in ISO 8601 basic form (`20130524T000000Z`). */
      amzDate: string;
      /** True for the `-TRAILER` variant: a signed trailer follows the final chunk. */
      trailer: boolean;
    }
  | { kind: 'streaming-unsigned-trailer' };

/** The outcome of a successful authentication. Failures throw an `S3Error`. */
export interface AuthResult {
  /** The access key that signed the request; `null` for an anonymous request. */
  accessKeyId: string | null;
  payload: PayloadMode;
  /** True when the signature came from the query string (a presigned URL). */
  presigned: boolean;
}

/** The values `x-amz-content-sha256` can take besides a hex digest. */
export const CONTENT_SHA256 = {
  unsigned: 'UNSIGNED-PAYLOAD',
  streamingSigned: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  streamingSignedTrailer: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  streamingUnsignedTrailer: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
} as const;

/** SHA-256 of the empty string, hex; it appears in every chunk's string to sign. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** The only signing algorithm the server accepts. */
export const ALGORITHM = 'AWS4-HMAC-SHA256';

/** Longest lifetime of a presigned URL: seven days, in seconds (X-Amz-Expires). */
export const MAX_PRESIGNED_EXPIRES = 604_800;
