/**
 * The signed-in session: an access key, its secret and the region, kept in `sessionStorage` only — gone when
 * the tab closes, never in `localStorage` or a cookie, never sent anywhere. Requests are signed here, in the
 * browser, by the AWS SDK for JavaScript v3 (Signature Version 4,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html): the server sees
 * signatures, not the secret.
 *
 * The S3 endpoint is this page's own origin (path-style addressing), so the console needs no CORS rule.
 */
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';

/** What a session holds. */
export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

const STORAGE_KEY = 'strata-console:session';

/** The session of this tab, if signed in. */
export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (raw === null) return undefined;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.accessKeyId === 'string' && typeof s.secretAccessKey === 'string' && typeof s.region === 'string') {
      return { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, region: s.region };
    }
  } catch {
    // Unreadable storage (disabled, or a value from another version): signed out.
  }
  return undefined;
}

/** Forgets the session (sign-out). */
export function clearSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** An S3 client that signs with the session's keys and talks to this origin. */
export function createS3Client(session: Session): S3Client {
  return new S3Client({
    endpoint: location.origin,
    forcePathStyle: true,
    region: session.region,
    credentials: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey },
    maxAttempts: 3,
  });
}

/**
 * Signs in: checks the keys with a ListBuckets call (a wrong key or secret fails with the server's
 * InvalidAccessKeyId or SignatureDoesNotMatch) and keeps them for this tab only when it succeeds. AccessDenied
 * also means the signature was verified — the keys are genuine, their policy just does not allow listing
 * buckets — so it signs in too (the bucket list then offers to open a bucket by name).
 */
export async function signIn(session: Session): Promise<S3Client> {
  const client = createS3Client(session);
  try {
    await client.send(new ListBucketsCommand({}));
  } catch (e) {
    if (!(e instanceof Error && e.name === 'AccessDenied')) {
      client.destroy();
      throw e;
    }
  }
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  return client;
}
