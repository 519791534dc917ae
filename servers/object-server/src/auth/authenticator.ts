/**
 * Request authentication: AWS Signature Version 4 in the `Authorization` header or in a presigned URL's query,
 * Signature Version 2 presigned URLs (sigv2.ts), and anonymous requests when allowed. Pure: it reads method, raw URL and headers, never the body.
 *
 * Errors are S3's ("Authenticating Requests (AWS Signature Version 4)",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html, and the error table of
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html): InvalidAccessKeyId,
 * SignatureDoesNotMatch (with the StringToSign and CanonicalRequest S3 also returns, which help clients
 * debug and reveal nothing secret), RequestTimeTooSkewed beyond 15 minutes, AccessDenied for anonymous
 * requests, expired URLs and signatures that leave out `host` or an `x-amz-*` header the request carries
 * (signed-headers.ts), AuthorizationHeaderMalformed / AuthorizationQueryParametersError.
 */
import { S3Error } from '../s3-errors.ts';
import {
  canonicalHeaders,
  canonicalQuery,
  canonicalRequest,
  canonicalUriCandidates,
  decodeQueryComponent,
  hasNonAscii,
  headerValue,
  lowerCaseHeaders,
  parseRawQuery,
  splitRawUrl,
  type RawQueryPair,
} from './canonical.ts';
import { parseAuthorizationHeader, parsePresignedQuery, type ParsedSignature } from './parse-auth.ts';
import { PresignedMemo } from './presigned-memo.ts';
import { assertSignedHeaders } from './signed-headers.ts';
import { payloadFromHeader, payloadForAnonymous, payloadForPresigned } from './payload-mode.ts';
import { authenticatePresignedV2, isPresignedV2 } from './sigv2.ts';
import { credentialScope, deriveSigningKey, hmacHex, parseAmzDate, requestStringToSign, signaturesEqual, toAmzDate } from './signing.ts';
import type { AuthRequest, AuthResult, Credentials } from './types.ts';

/** Options of {@link createAuthenticator}. */
export interface AuthenticatorOptions {
  /**
   * The access keys accepted: a fixed list, or a look-up from access key id to secret consulted on every
   * request, so keys can be added, disabled and removed while the server runs (undefined: no such active key).
   */
  credentials: Credentials[] | SecretLookup;
  /**
   * The server's region. Any region in a request's credential scope is accepted and the signature verified
   * with it (clients such as rclone and s3cmd default to `us-east-1`), unless `strictRegion` is set.
   */
  region?: string;
  /** Refuse a scope naming another region than `region` (AuthorizationHeaderMalformed), as AWS does. @default false */
  strictRegion?: boolean;
  /** Largest accepted difference between the request time and the server clock. @default 900000 (15 min) */
  clockSkewMs?: number;
  /** The clock, in epoch milliseconds. @default Date.now */
  now?: () => number;
  /** Let requests without any signature through as `accessKeyId: null`. @default false */
  allowAnonymous?: boolean;
  /** Verified presigned URLs remembered for repeats (presigned-memo.ts); 0 turns it off. @default 1024 */
  presignedMemoEntries?: number;
}

/** The secret of an active access key, or undefined when there is none by that id. */
export type SecretLookup = (accessKeyId: string) => string | undefined;

/** Authenticates requests; see {@link createAuthenticator}. */
export interface Authenticator {
  /** Verifies the request's signature and says how its body must be read. Throws an `S3Error` on failure. */
  authenticate(req: AuthRequest): AuthResult;
  /** Presigned requests answered from the memo of verified URLs so far. */
  readonly presignedMemoHits: number;
}

/** S3's name for the parameter of a presigned URL that carries the signature. */
const SIGNATURE_PARAM = 'X-Amz-Signature';

/** A character that no received byte decodes to (Node reads header bytes as Latin-1). */
const WIDER_THAN_BYTE = /[^\x00-\xff]/;

/**
 * The canonical header blocks to try, each with the encoding its canonical request is hashed in: the values as
 * decoded, then — only when a signed value is not ASCII — the bytes as received (`HeaderValueForm`, canonical.ts).
 */
function headerValueForms(headers: Map<string, string | string[]>, signed: string[]): { headers: string; encoding: 'utf8' | 'latin1' }[] {
  const text = canonicalHeaders(headers, signed);
  if (!hasNonAscii(text)) return [{ headers: text, encoding: 'utf8' }];
  return [
    { headers: text, encoding: 'utf8' },
    { headers: canonicalHeaders(headers, signed, 'wire'), encoding: 'latin1' },
  ];
}

/** The look-up over a fixed list of credentials, validated here. */
function fixedSecrets(credentials: Credentials[]): SecretLookup {
  if (!Array.isArray(credentials)) throw new TypeError('createAuthenticator: credentials must be an array or a function');
  const secrets = new Map<string, string>();
  for (const c of credentials) {
    if (typeof c.accessKeyId !== 'string' || c.accessKeyId === '' || typeof c.secretAccessKey !== 'string' || c.secretAccessKey === '') {
      throw new TypeError('createAuthenticator: every credential needs a non-empty accessKeyId and secretAccessKey');
    }
    if (secrets.has(c.accessKeyId)) throw new TypeError(`createAuthenticator: duplicate accessKeyId ${c.accessKeyId}`);
    secrets.set(c.accessKeyId, c.secretAccessKey);
  }
  return (id) => secrets.get(id);
}

/** Creates an {@link Authenticator} over a list of credentials or a live look-up. Options are validated here, at once. */
export function createAuthenticator(opts: AuthenticatorOptions): Authenticator {
  const secretOf = typeof opts.credentials === 'function' ? opts.credentials : fixedSecrets(opts.credentials);
  const skew = opts.clockSkewMs ?? 15 * 60_000;
  if (!(skew >= 0)) throw new TypeError('createAuthenticator: clockSkewMs must be a non-negative number');
  const now = opts.now ?? Date.now;
  const allowAnonymous = opts.allowAnonymous ?? false;
  const memo = new PresignedMemo(opts.presignedMemoEntries ?? 1024);

  function secretFor(parsed: ParsedSignature, presigned: boolean): string {
    const secret = secretOf(parsed.accessKeyId);
    if (secret === undefined) throw new S3Error('InvalidAccessKeyId', undefined, { extra: { AWSAccessKeyId: parsed.accessKeyId } });
    if (opts.strictRegion === true && opts.region !== undefined && parsed.region !== opts.region) {
      const message = `the region '${parsed.region}' is wrong; expecting '${opts.region}'`;
      throw presigned
        ? new S3Error('AuthorizationQueryParametersError', `Error parsing the X-Amz-Credential parameter; ${message}`, { extra: { Region: opts.region } })
        : new S3Error('AuthorizationHeaderMalformed', `The authorization header is malformed; ${message}`, { extra: { Region: opts.region } });
    }
    return secret;
  }

  /** Tries the canonical forms of the request (see canonical.ts) and throws SignatureDoesNotMatch if none fits. */
  function verify(
    req: AuthRequest,
    headers: Map<string, string | string[]>,
    pairs: RawQueryPair[],
    parsed: ParsedSignature,
    amzDate: string,
    payloadHash: string,
    signingKey: Buffer,
    exclude: string | undefined,
  ): void {
    const scope = credentialScope(parsed.date, parsed.region, parsed.service);
    const { rawPath } = splitRawUrl(req.rawUrl);
    let first: { canonical: string; stringToSign: string } | undefined;
    for (const form of headerValueForms(headers, parsed.signedHeaders)) {
      const tried = new Set<string>();
      for (const uri of canonicalUriCandidates(rawPath)) {
        for (const plusIsSpace of [true, false]) {
          const canonical = canonicalRequest({
            method: req.method.toUpperCase(),
            uri,
            query: canonicalQuery(pairs, exclude, plusIsSpace),
            headers: form.headers,
            signedHeaders: parsed.signedHeaders,
            payloadHash,
          });
          if (tried.has(canonical)) continue;
          tried.add(canonical);
          // Latin-1 hashing is exact for one-byte characters only; a wider one cannot be a byte as received.
          if (form.encoding === 'latin1' && WIDER_THAN_BYTE.test(canonical)) continue;
          const stringToSign = requestStringToSign(amzDate, scope, canonical, form.encoding);
          if (signaturesEqual(hmacHex(signingKey, stringToSign), parsed.signature)) return;
          first ??= { canonical, stringToSign };
        }
      }
    }
    throw new S3Error('SignatureDoesNotMatch', undefined, {
      extra: {
        AWSAccessKeyId: parsed.accessKeyId,
        StringToSign: first?.stringToSign ?? '',
        SignatureProvided: parsed.signature,
        CanonicalRequest: first?.canonical ?? '',
      },
    });
  }

  function headerAuth(req: AuthRequest, headers: Map<string, string | string[]>, pairs: RawQueryPair[], authorization: string): AuthResult {
    const parsed = parseAuthorizationHeader(authorization, req.service);
    assertSignedHeaders(req.headers, parsed.signedHeaders);
    const secret = secretFor(parsed, false);
    const xAmzDate = headerValue(headers, 'x-amz-date');
    const date = headerValue(headers, 'date');
    // x-amz-date wins over Date; the string to sign always carries the ISO 8601 basic form.
    const time = xAmzDate !== undefined ? parseAmzDate(xAmzDate.trim()) : date !== undefined ? Date.parse(date) : undefined;
    if (time === undefined || Number.isNaN(time)) {
      throw new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
    }
    const amzDate = toAmzDate(time);
    if (amzDate.slice(0, 8) !== parsed.date) {
      throw new S3Error(
        'AuthorizationHeaderMalformed',
        'The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.',
      );
    }
    const serverTime = now();
    if (Math.abs(serverTime - time) > skew) {
      throw new S3Error('RequestTimeTooSkewed', undefined, {
        extra: {
          RequestTime: xAmzDate ?? date ?? '',
          ServerTime: new Date(serverTime).toISOString(),
          MaxAllowedSkewMilliseconds: String(skew),
        },
      });
    }
    // IAM's query API signs the body's hash without sending it as a header; its caller hashed the body.
    const contentSha256 = headerValue(headers, 'x-amz-content-sha256') ?? (req.service === 'iam' ? req.payloadHash : undefined);
    if (contentSha256 === undefined) {
      throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
    }
    const signingKey = deriveSigningKey(secret, parsed.date, parsed.region, parsed.service);
    const scope = credentialScope(parsed.date, parsed.region, parsed.service);
    // Classified before the signature is checked: a value S3 cannot read is an InvalidArgument either way.
    const payload = payloadFromHeader(contentSha256, { seedSignature: parsed.signature.toLowerCase(), signingKey, scope, amzDate });
    verify(req, headers, pairs, parsed, amzDate, contentSha256, signingKey, undefined);
    return { accessKeyId: parsed.accessKeyId, payload, presigned: false };
  }

  function presignedAuth(req: AuthRequest, headers: Map<string, string | string[]>, pairs: RawQueryPair[], query: Map<string, string>): AuthResult {
    const parsed = parsePresignedQuery(query);
    assertSignedHeaders(req.headers, parsed.signedHeaders);
    const secret = secretFor(parsed, true);
    const time = parseAmzDate(parsed.amzDate);
    if (time === undefined) {
      throw new S3Error('AuthorizationQueryParametersError', `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
    }
    if (parsed.amzDate.slice(0, 8) !== parsed.date) {
      throw new S3Error(
        'AuthorizationQueryParametersError',
        'Error parsing the X-Amz-Credential parameter; Invalid credential date. Date is not the same as X-Amz-Date.',
      );
    }
    const serverTime = now();
    const expiresAt = time + parsed.expires * 1000;
    if (serverTime > expiresAt) {
      throw new S3Error('AccessDenied', 'Request has expired', {
        extra: {
          'X-Amz-Expires': String(parsed.expires),
          Expires: new Date(expiresAt).toISOString(),
          ServerTime: new Date(serverTime).toISOString(),
        },
      });
    }
    if (time - serverTime > skew) throw new S3Error('AccessDenied', 'Request is not valid yet');
    // The payload of a presigned URL is UNSIGNED-PAYLOAD unless the signer put a hash into the query.
    let payloadHash = 'UNSIGNED-PAYLOAD';
    for (const [name, value] of query) if (name.toLowerCase() === 'x-amz-content-sha256') payloadHash = value;
    const payload = payloadForPresigned(payloadHash);
    const signingKey = deriveSigningKey(secret, parsed.date, parsed.region, parsed.service);
    verify(req, headers, pairs, parsed, parsed.amzDate, payloadHash, signingKey, SIGNATURE_PARAM);
    const result: AuthResult = { accessKeyId: parsed.accessKeyId, payload, presigned: true };
    memo.remember(req, headers, parsed.signedHeaders, result, { notBefore: time - skew, expiresAt });
    return result;
  }

  return {
    get presignedMemoHits() {
      return memo.hits;
    },
    authenticate(req: AuthRequest): AuthResult {
      if (req.headers.authorization === undefined && req.headers.Authorization === undefined) {
        const remembered = memo.lookup(req, now());
        // A key disabled or deleted since (a live look-up) no longer signs anything, remembered or not.
        if (remembered !== undefined && remembered.accessKeyId !== null && secretOf(remembered.accessKeyId) !== undefined) return remembered;
      }
      const headers = lowerCaseHeaders(req.headers);
      const pairs = parseRawQuery(splitRawUrl(req.rawUrl).rawQuery);
      const query = new Map<string, string>();
      for (const p of pairs) {
        const name = decodeQueryComponent(p.name);
        if (!query.has(name)) query.set(name, decodeQueryComponent(p.value));
      }
      const authorization = headerValue(headers, 'authorization');
      const queryAuth = query.has('X-Amz-Algorithm') || query.has('X-Amz-Credential') || query.has(SIGNATURE_PARAM);
      if (authorization !== undefined && queryAuth) {
        throw new S3Error(
          'InvalidArgument',
          'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
          { extra: { ArgumentName: 'Authorization', ArgumentValue: authorization } },
        );
      }
      if (authorization !== undefined) return headerAuth(req, headers, pairs, authorization);
      if (queryAuth) return presignedAuth(req, headers, pairs, query);
      // SigV2 presigned URLs (boto3's and aws CLI v1's default presign); header-form SigV2 stays refused.
      if (isPresignedV2(query)) return authenticatePresignedV2(req, headers, pairs, query, { secretOf, now: now() });
      if (!allowAnonymous) throw new S3Error('AccessDenied', 'Access Denied');
      return { accessKeyId: null, payload: payloadForAnonymous(headerValue(headers, 'x-amz-content-sha256')), presigned: false };
    },
  };
}
