/**
 * The authenticator (`createAuthenticator`) against random requests signed by the AWS SDK's own signer
 * (`@smithy/signature-v4`, and `getSignedUrl` of `@aws-sdk/s3-request-presigner`), in the Authorization header
 * and as presigned URLs, each then mutated (see auth-mutations.ts):
 *
 * - a change to any signed part is refused (an S3Error with a 4xx status);
 * - an added unsigned `x-amz-*` header that changes the request's meaning is refused with 403 AccessDenied,
 *   also for a presigned URL the memo of verified URLs already knows;
 * - a harmless change (an added user-agent, header or query order, …) still verifies;
 * - whatever it is fed, it returns or throws an S3Error, never another exception.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../src/auth/index.ts';
import type { AuthRequest, Authenticator } from '../../src/auth/index.ts';
import { isS3Error } from '../../src/s3-errors.ts';
import type { S3Error } from '../../src/s3-errors.ts';
import {
  applyHarmlessMutation,
  applySignedPartMutation,
  applyUnsignedAddition,
  harmlessMutation,
  signedPartMutation,
  unsignedAmzAddition,
} from './auth-mutations.ts';
import { fuzzParameters, testTimeout } from './fuzz-settings.ts';
import type { FuzzBudget } from './fuzz-settings.ts';
import { badAuthorization, extraHeaders } from './header-generators.ts';
import { queryString, requestPath } from './path-generators.ts';
import { SIGNING_CREDENTIALS, SIGNING_HOST, SIGNING_NOW, SIGNING_REGION, presign, requestSpec, signInHeader } from './sdk-signing.ts';
import type { RequestSpec } from './sdk-signing.ts';

const BUDGET: FuzzBudget = { runs: 300, timeLimitMs: 4_000 };

function newAuthenticator(): Authenticator {
  return createAuthenticator({ credentials: [SIGNING_CREDENTIALS], now: () => SIGNING_NOW });
}

/** The S3Error `authenticate` throws for `req`, or undefined when it accepts; any other exception fails. */
function refusal(authenticator: Authenticator, req: AuthRequest): S3Error | undefined {
  try {
    authenticator.authenticate(req);
    return undefined;
  } catch (e) {
    if (isS3Error(e)) return e;
    throw new Error(`authenticate threw a non-S3Error for ${JSON.stringify(req)}: ${String(e)}`, { cause: e });
  }
}

const signers: [string, (spec: RequestSpec) => Promise<AuthRequest>][] = [
  ['Authorization header', signInHeader],
  ['presigned URL', presign],
];

describe.each(signers)('requests signed by @smithy/signature-v4 in the %s', (_form, sign) => {
  it(
    'are accepted as signed',
    async () => {
      await fc.assert(
        fc.asyncProperty(requestSpec, async (spec) => {
          const req = await sign(spec);
          const authenticator = newAuthenticator();
          const error = refusal(authenticator, req);
          expect(error, `${error?.code}: ${error?.message}\n${JSON.stringify(req)}`).toBeUndefined();
          expect(authenticator.authenticate(req).accessKeyId).toBe(SIGNING_CREDENTIALS.accessKeyId);
        }),
        fuzzParameters(BUDGET),
      );
    },
    testTimeout(BUDGET),
  );

  it(
    'are refused once a signed part changes (method, path, query, signed header, date, payload hash, signature, scope)',
    async () => {
      await fc.assert(
        fc.asyncProperty(requestSpec, signedPartMutation, async (spec, mutation) => {
          const req = await sign(spec);
          const mutated = applySignedPartMutation(req, mutation);
          fc.pre(mutated !== undefined);
          const authenticator = newAuthenticator();
          // The valid request first: a presigned URL is then in the memo of verified URLs.
          expect(refusal(authenticator, req)).toBeUndefined();
          const error = refusal(authenticator, mutated);
          expect(error, `accepted: ${JSON.stringify(mutated)}`).toBeDefined();
          expect([400, 403], `${error?.code}: ${error?.message}`).toContain(error?.status);
        }),
        fuzzParameters(BUDGET),
      );
    },
    testTimeout(BUDGET),
  );

  it(
    'are refused with 403 AccessDenied when an unsigned x-amz-* header that changes their meaning is added',
    async () => {
      await fc.assert(
        fc.asyncProperty(requestSpec, unsignedAmzAddition, async (spec, addition) => {
          const req = await sign(spec);
          const mutated = applyUnsignedAddition(req, addition);
          fc.pre(mutated !== undefined);
          const authenticator = newAuthenticator();
          expect(refusal(authenticator, req)).toBeUndefined();
          const error = refusal(authenticator, mutated);
          expect(error, `accepted with ${addition.name} unsigned: ${JSON.stringify(mutated)}`).toBeDefined();
          expect(error?.code, error?.message).toBe('AccessDenied');
          expect(error?.status).toBe(403);
        }),
        fuzzParameters(BUDGET),
      );
    },
    testTimeout(BUDGET),
  );

  it(
    'still verify after harmless changes (user-agent, tracing headers, header and query order, inner spaces, escape case)',
    async () => {
      await fc.assert(
        fc.asyncProperty(requestSpec, fc.array(harmlessMutation, { minLength: 1, maxLength: 3 }), async (spec, mutations) => {
          let req = await sign(spec);
          const authenticator = newAuthenticator();
          expect(refusal(authenticator, req)).toBeUndefined();
          for (const m of mutations) req = applyHarmlessMutation(req, m) ?? req;
          const error = refusal(authenticator, req);
          expect(error, `${error?.code}: ${error?.message}\n${JSON.stringify(req)}`).toBeUndefined();
        }),
        fuzzParameters(BUDGET),
      );
    },
    testTimeout(BUDGET),
  );
});

describe('presigned URLs from @aws-sdk/s3-request-presigner', () => {
  const client = new S3Client({
    region: SIGNING_REGION,
    endpoint: `http://${SIGNING_HOST}`,
    forcePathStyle: true,
    credentials: SIGNING_CREDENTIALS,
    systemClockOffset: SIGNING_NOW - Date.now(),
  });
  const PRESIGNER: FuzzBudget = { runs: 100, timeLimitMs: 6_000 };

  it(
    'verify, refuse an unsigned x-amz-* header that changes their meaning with AccessDenied, and refuse a changed path',
    async () => {
      await fc.assert(
        fc.asyncProperty(requestSpec, unsignedAmzAddition, fc.boolean(), async (spec, addition, put) => {
          const command = put ? new PutObjectCommand({ Bucket: spec.bucket, Key: spec.key }) : new GetObjectCommand({ Bucket: spec.bucket, Key: spec.key });
          const url = await getSignedUrl(client, command, { expiresIn: spec.expiresIn, signingDate: new Date(SIGNING_NOW) });
          const req: AuthRequest = { method: put ? 'PUT' : 'GET', rawUrl: url.replace(/^https?:\/\/[^/]+/, ''), headers: { host: SIGNING_HOST } };
          const authenticator = newAuthenticator();
          const accepted = refusal(authenticator, req);
          expect(accepted, `${accepted?.code}: ${accepted?.message}\n${req.rawUrl}`).toBeUndefined();
          const added = refusal(authenticator, { ...req, headers: { ...req.headers, [addition.name]: addition.value } });
          expect(added?.code, `accepted with ${addition.name} unsigned`).toBe('AccessDenied');
          const moved = refusal(authenticator, { ...req, rawUrl: req.rawUrl.replace(/^\/[^/?]*/, (b) => `${b}x`) });
          expect(moved?.status, 'accepted with another bucket').toBe(403);
        }),
        fuzzParameters(PRESIGNER),
      );
    },
    testTimeout(PRESIGNER),
  );
});

describe('whatever the authenticator is fed', () => {
  /** Requests from nothing: random methods, targets, headers, Authorization values, presigned parameters. */
  const junkRequest: fc.Arbitrary<AuthRequest> = fc
    .record({
      method: fc.oneof(fc.constantFrom('GET', 'PUT', 'POST', 'HEAD', 'DELETE'), fc.string({ maxLength: 8 })),
      path: requestPath,
      query: queryString,
      headers: extraHeaders,
      authorization: fc.option(badAuthorization, { nil: undefined }),
      date: fc.option(fc.constantFrom('20250301T120000Z', 'Sat, 01 Mar 2025 12:00:00 GMT', 'garbage', ''), { nil: undefined }),
    })
    .map(({ method, path, query, headers, authorization, date }): AuthRequest => {
      const h: Record<string, string | string[]> = {};
      for (const [name, value] of headers) {
        const lower = name.toLowerCase();
        const prior = h[lower];
        h[lower] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
      }
      if (authorization !== undefined) h.authorization = authorization;
      if (date !== undefined) h['x-amz-date'] = date;
      return { method, rawUrl: query === '' ? path : `${path}?${query}`, headers: h };
    });

  it(
    'returns or throws an S3Error with a 4xx status (or 501 for SigV4a), never another exception',
    async () => {
      const mutated = fc.tuple(requestSpec, fc.boolean(), fc.array(fc.oneof(signedPartMutation.map((m) => ({ signed: m })), unsignedAmzAddition.map((a) => ({ added: a })), harmlessMutation.map((h) => ({ harmless: h }))), { maxLength: 4 }));
      await fc.assert(
        fc.asyncProperty(fc.oneof(junkRequest.map((r) => ({ junk: r })), mutated.map((m) => ({ mutated: m }))), async (input) => {
          let req: AuthRequest;
          if ('junk' in input) req = input.junk;
          else {
            const [spec, presigned, steps] = input.mutated;
            req = presigned ? await presign(spec) : await signInHeader(spec);
            for (const step of steps) {
              const next = 'signed' in step ? applySignedPartMutation(req, step.signed) : 'added' in step ? applyUnsignedAddition(req, step.added) : applyHarmlessMutation(req, step.harmless);
              req = next ?? req;
            }
          }
          const error = refusal(newAuthenticator(), req);
          if (error === undefined) return;
          const clientError = error.status < 500 || (error.status === 501 && error.code === 'NotImplemented');
          expect(clientError, `${error.status} ${error.code}: ${error.message}`).toBe(true);
        }),
        fuzzParameters(BUDGET),
      );
    },
    testTimeout(BUDGET),
  );
});
