/** Shared fixtures of the auth tests: AWS's documented example credentials and small stream helpers. */
import { Readable, type Transform } from 'node:stream';
import { createAuthenticator, type AuthenticatorOptions, type Credentials } from '../../src/auth/index.ts';
import { isS3Error, type S3Error } from '../../src/s3-errors.ts';

/** The credentials of every example in the S3 SigV4 documentation. */
export const DOC_CREDENTIALS: Credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

/** 2013-05-24T00:00:00Z, the time of every S3 documentation example. */
export const DOC_TIME = Date.UTC(2013, 4, 24);

/** An authenticator that knows the documentation's key, with its clock on the documentation's time. */
export function docAuthenticator(extra: Partial<AuthenticatorOptions> = {}) {
  return createAuthenticator({ credentials: [DOC_CREDENTIALS], now: () => DOC_TIME, ...extra });
}

/** Runs `fn` and returns the S3Error it throws (fails the test if it throws anything else or nothing). */
export function s3ErrorOf(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (e) {
    if (isS3Error(e)) return e;
    throw e;
  }
  throw new Error('expected an S3Error, nothing was thrown');
}

/** Pipes `input` (split into pieces of `slice` bytes) through `stream`; resolves with the output or the error. */
export async function runThrough(
  stream: Transform,
  input: Buffer,
  slice = 65_536,
): Promise<{ output: Buffer; error?: unknown }> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < input.length; i += slice) pieces.push(input.subarray(i, i + slice));
  const out: Buffer[] = [];
  try {
    const source = Readable.from(pieces, { objectMode: false });
    source.pipe(stream);
    source.on('error', (e) => stream.destroy(e));
    for await (const chunk of stream) out.push(chunk as Buffer);
    return { output: Buffer.concat(out) };
  } catch (error) {
    return { output: Buffer.concat(out), error };
  }
}
