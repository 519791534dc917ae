/**
 * Request authentication and body decoding of the object server: SigV4 (header and presigned), aws-chunked
 * bodies (signed chunks, signed and unsigned trailers), `x-amz-content-sha256` and checksum headers.
 *
 * Use in a route: `const auth = authenticator.authenticate({ method, rawUrl: req.raw.url, headers })`, then
 * `const body = createPayloadDecoder(auth, headers)`, `const sums = createChecksumVerifier(headers, body.trailers)`,
 * and `storage.put(key, req.raw.pipe(body.stream), { checksumAlgorithms: sums.algorithms,
 * expectedChecksums: sums.expected, contentMd5: sums.contentMd5, contentLength: body.decodedLength })`.
 */
export type { AuthRequest, AuthResult, Credentials, PayloadMode, RequestHeaders } from './types.ts';
export { ALGORITHM, CONTENT_SHA256, EMPTY_SHA256, MAX_PRESIGNED_EXPIRES } from './types.ts';
export { createAuthenticator, type Authenticator, type AuthenticatorOptions } from './authenticator.ts';
export {
  createPayloadDecoder,
  declaredTrailers,
  storedContentEncoding,
  type PayloadDecoder,
  type PayloadDecoderOptions,
} from './payload-decoder.ts';
export { createChecksumVerifier, type ChecksumExpectations } from './checksum-verifier.ts';
export { presignUrl, signRequest, type PresignOptions, type SignRequestOptions, type SignedRequest } from './presign.ts';
export { encodeAwsChunked, type EncodeAwsChunkedOptions } from './chunked-encoder.ts';
export { deriveSigningKey, signaturesEqual } from './signing.ts';
export { uriEncode } from './canonical.ts';
