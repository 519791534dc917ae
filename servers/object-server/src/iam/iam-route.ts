/**
 * The IAM query API on the S3 endpoint: `POST /` with a form body `Action=…&Version=2010-05-08`, signed with
 * SigV4 for the service `iam` ("Making query requests",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/programming.html and
 * https://docs.aws.amazon.com/IAM/latest/APIReference/CommonParameters.html). The clients (botocore, the AWS
 * SDKs) sign the body's SHA-256 without sending it as a header, so this route reads the (small) body first,
 * hashes it and authenticates afterwards — which is why the dispatcher routes it without authentication.
 *
 * A request is an IAM request when its Authorization header's credential scope names `iam`; any other
 * `POST /` is answered as S3 answers it (MethodNotAllowed). Only the root identity may call IAM. Every failure
 * of an IAM request, authentication included, answers IAM's error XML.
 */
import { createHash } from 'node:crypto';
import type { S3Context, S3Response } from '../context.ts';
import { isS3Error, S3Error } from '../s3-errors.ts';
import { readRequestBody, TooLargeError } from '../streams.ts';
import { runIamAction } from './iam-actions.ts';
import { IamError, iamErrorXml } from './iam-errors.ts';
import { iamOf } from './iam-state.ts';

/** The operation name of IAM requests in the route table, metrics and logs. */
export const IAM_QUERY_OP = 'IamQuery';
/** Largest IAM request body read (policy documents are at most a few KiB, URL-encoded). */
const MAX_IAM_BODY = 256 * 1024;

const XML_HEADERS = { 'content-type': 'text/xml' };
/** A SigV4 Authorization header whose credential scope names the `iam` service. */
const IAM_SCOPE = /^AWS4-HMAC-SHA256 .*Credential=[^,]*\/iam\/aws4_request/;

/** S3 authentication errors as IAM names them (IAM "Common Errors"). */
function fromS3Error(code: string): { code: string; message?: string } {
  if (code === 'InvalidAccessKeyId') return { code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' };
  return { code };
}

/** The route handler of IAM query requests. */
export async function iamQuery(ctx: S3Context): Promise<S3Response> {
  const { identities, authenticator } = iamOf(ctx.state);
  // Only a request signed for IAM is one: any other POST / stays what S3 answers it, MethodNotAllowed.
  const authorization = ctx.headers.authorization;
  if (typeof authorization !== 'string' || !IAM_SCOPE.test(authorization)) {
    throw new S3Error('MethodNotAllowed', undefined, { extra: { Method: ctx.method, ResourceType: 'SERVICE' } });
  }
  try {
    let body: Buffer;
    try {
      body = await readRequestBody(ctx.raw, MAX_IAM_BODY);
    } catch (e) {
      if (e instanceof TooLargeError) throw new IamError('ValidationError', `The request body exceeds ${MAX_IAM_BODY} bytes.`);
      throw e;
    }
    const hash = createHash('sha256').update(body).digest('hex');
    const auth = authenticator.authenticate({ method: ctx.method, rawUrl: ctx.raw.url ?? '/', headers: ctx.headers, service: 'iam', payloadHash: hash });
    if (auth.payload.kind === 'sha256' && auth.payload.hex !== hash) throw new IamError('SignatureDoesNotMatch', 'The provided x-amz-content-sha256 header does not match the body.');
    const params = new URLSearchParams(body.toString('utf8'));
    if (!identities.isRoot(auth.accessKeyId)) {
      const who = auth.accessKeyId === null ? 'anonymous' : identities.principalOf(auth.accessKeyId)?.kind === 'user' ? `user with key ${auth.accessKeyId}` : auth.accessKeyId;
      throw new IamError('AccessDenied', `${who} is not authorized to perform: iam:${params.get('Action') ?? ''}; only the root identity administers IAM.`);
    }
    return { status: 200, headers: XML_HEADERS, body: await runIamAction(identities, params, ctx.requestId) };
  } catch (e) {
    if (e instanceof IamError) return { status: e.status, headers: XML_HEADERS, body: iamErrorXml(e.code, e.message, ctx.requestId, e.status) };
    if (isS3Error(e)) {
      const mapped = fromS3Error(e.code);
      return { status: e.status, headers: XML_HEADERS, body: iamErrorXml(mapped.code, mapped.message ?? e.message, ctx.requestId, e.status) };
    }
    throw e;
  }
}
