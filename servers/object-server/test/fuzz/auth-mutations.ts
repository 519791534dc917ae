/**
 * Mutations of a signed request, as data (so fast-check prints and shrinks them), in three families:
 *
 * - {@link signedPartMutation}: a change to something the signature covers — method, path, query, a signed
 *   header's value, the date, the payload hash, the signature, the credential scope, the signed header list.
 *   SigV4 ("Signature Calculations for the Authorization Header",
 *   https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html) makes every one of them
 *   fail verification.
 * - {@link unsignedAmzAddition}: an added `x-amz-*` header outside SignedHeaders that changes what the request
 *   does (a copy source, metadata, tags, an ACL…). S3 refuses these with 403 AccessDenied: "any x-amz-* headers
 *   that you plan to add to the request" must be signed
 *   (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html).
 * - {@link harmlessMutation}: changes the signature does not and need not cover — an added `user-agent` or
 *   tracing header, header order, query order, runs of spaces inside a signed value (the canonical form
 *   collapses them), the hex case of a percent-escape or an escaped unreserved character in the path (the
 *   canonical URI re-encodes the decoded path). The request must still verify.
 */
import fc from 'fast-check';
import type { AuthRequest } from '../../src/auth/index.ts';

/** A change to a part the signature covers; `n` picks among the candidates. */
export type SignedPartMutation =
  | { kind: 'method'; n: number }
  | { kind: 'path-append'; text: string }
  | { kind: 'bucket' }
  | { kind: 'query-add'; name: string }
  | { kind: 'query-drop'; n: number }
  | { kind: 'query-change'; n: number }
  | { kind: 'header-change'; n: number }
  | { kind: 'header-drop'; n: number }
  | { kind: 'date-shift'; seconds: number }
  | { kind: 'payload-hash'; value: string }
  | { kind: 'signature-flip'; n: number }
  | { kind: 'scope-region'; region: string }
  | { kind: 'signed-list-drop'; n: number };

/** An unsigned x-amz-* header that changes what a request does. */
export interface UnsignedAmzAddition {
  name: string;
  value: string;
}

/** A change the signature does not cover and that leaves the request's meaning alone. */
export type HarmlessMutation =
  | { kind: 'add-header'; name: string; value: string }
  | { kind: 'reorder-headers'; seed: number }
  | { kind: 'reorder-query'; seed: number }
  | { kind: 'inner-spaces' }
  | { kind: 'escape-case' };

const METHODS = ['GET', 'PUT', 'HEAD', 'DELETE', 'POST', 'OPTIONS', 'PATCH'];

export const signedPartMutation: fc.Arbitrary<SignedPartMutation> = fc.oneof(
  fc.nat().map((n): SignedPartMutation => ({ kind: 'method', n })),
  fc.constantFrom('x', '%20', '%2F', '/', '~', '%C3%A9').map((text): SignedPartMutation => ({ kind: 'path-append', text })),
  fc.constant<SignedPartMutation>({ kind: 'bucket' }),
  fc.constantFrom('added', 'acl', 'uploads', 'x-id', 'response-content-type').map((name): SignedPartMutation => ({ kind: 'query-add', name })),
  fc.nat().map((n): SignedPartMutation => ({ kind: 'query-drop', n })),
  fc.nat().map((n): SignedPartMutation => ({ kind: 'query-change', n })),
  fc.nat().map((n): SignedPartMutation => ({ kind: 'header-change', n })),
  fc.nat().map((n): SignedPartMutation => ({ kind: 'header-drop', n })),
  fc.oneof(fc.integer({ min: -900, max: -1 }), fc.integer({ min: 1, max: 900 })).map((seconds): SignedPartMutation => ({ kind: 'date-shift', seconds })),
  fc.constantFrom('UNSIGNED-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855').map((value): SignedPartMutation => ({ kind: 'payload-hash', value })),
  fc.nat({ max: 63 }).map((n): SignedPartMutation => ({ kind: 'signature-flip', n })),
  fc.constantFrom('us-east-1', 'eu-west-1', 'EU-WEST-3').map((region): SignedPartMutation => ({ kind: 'scope-region', region })),
  fc.nat().map((n): SignedPartMutation => ({ kind: 'signed-list-drop', n })),
);

/** Headers S3 reads that change what is stored, copied or granted. */
const MEANINGFUL_AMZ = [
  'x-amz-copy-source', 'x-amz-copy-source-range', 'x-amz-metadata-directive', 'x-amz-tagging', 'x-amz-tagging-directive', 'x-amz-acl',
  'x-amz-grant-full-control', 'x-amz-grant-read', 'x-amz-server-side-encryption', 'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-storage-class', 'x-amz-website-redirect-location', 'x-amz-object-lock-mode', 'x-amz-object-lock-retain-until-date',
  'x-amz-object-lock-legal-hold', 'x-amz-checksum-algorithm', 'x-amz-request-payer', 'x-amz-expected-bucket-owner',
];

export const unsignedAmzAddition: fc.Arbitrary<UnsignedAmzAddition> = fc.record({
  name: fc.oneof(fc.constantFrom(...MEANINGFUL_AMZ), fc.stringMatching(/^[a-z0-9-]{1,12}$/).map((n) => `x-amz-meta-${n}`)),
  value: fc.oneof(fc.constantFrom('other-bucket/secret', 'REPLACE', 'public-read', 'a=b', 'AES256', 'GLACIER'), fc.stringMatching(/^[!-~]{1,20}$/)),
});

export const harmlessMutation: fc.Arbitrary<HarmlessMutation> = fc.oneof(
  fc
    .record({
      name: fc.constantFrom('user-agent', 'accept', 'accept-encoding', 'amz-sdk-invocation-id', 'amz-sdk-request', 'x-amzn-trace-id', 'x-forwarded-for', 'via', 'connection', 'referer'),
      value: fc.stringMatching(/^[!-~]([ !-~]{0,30}[!-~])?$/),
    })
    .map((h): HarmlessMutation => ({ kind: 'add-header', ...h })),
  fc.nat().map((seed): HarmlessMutation => ({ kind: 'reorder-headers', seed })),
  fc.nat().map((seed): HarmlessMutation => ({ kind: 'reorder-query', seed })),
  fc.constant<HarmlessMutation>({ kind: 'inner-spaces' }),
  fc.constant<HarmlessMutation>({ kind: 'escape-case' }),
);

/** Splits a raw URL into its path and its query pairs (raw, still encoded). */
function splitUrl(rawUrl: string): { path: string; pairs: string[] } {
  const q = rawUrl.indexOf('?');
  if (q === -1) return { path: rawUrl, pairs: [] };
  return { path: rawUrl.slice(0, q), pairs: rawUrl.slice(q + 1).split('&').filter((p) => p !== '') };
}

function joinUrl(path: string, pairs: string[]): string {
  return pairs.length === 0 ? path : `${path}?${pairs.join('&')}`;
}

/** Whether the request is a presigned URL (its signature in the query). */
export function isPresigned(req: AuthRequest): boolean {
  return /[?&]X-Amz-Signature=/.test(req.rawUrl);
}

/** The names of the signed headers, from the Authorization header or X-Amz-SignedHeaders. */
export function signedHeaderNames(req: AuthRequest): string[] {
  const auth = req.headers.authorization;
  const fromHeader = typeof auth === 'string' ? /SignedHeaders=([^,\s]+)/.exec(auth)?.[1] : undefined;
  const fromQuery = /[?&]X-Amz-SignedHeaders=([^&]+)/.exec(req.rawUrl)?.[1];
  const list = fromHeader ?? (fromQuery === undefined ? undefined : decodeURIComponent(fromQuery));
  return list === undefined ? [] : list.split(';');
}

/** A deterministic shuffle (mulberry32 over `seed`). */
function shuffled<T>(items: T[], seed: number): T[] {
  let a = seed | 0;
  const rand = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function pick<T>(items: T[], n: number): T | undefined {
  return items.length === 0 ? undefined : items[n % items.length];
}

/** The ISO 8601 basic time `amzDate` moved by `seconds`. */
function shiftAmzDate(amzDate: string, seconds: number): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (m === null) return `${amzDate}x`;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) + seconds * 1000;
  return new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Replaces the value of query pair `name` (decoded name) with `f(value)`. */
function mapQueryValue(pairs: string[], name: string, f: (value: string) => string): string[] {
  return pairs.map((p) => {
    const eq = p.indexOf('=');
    const n = eq === -1 ? p : p.slice(0, eq);
    return n === name ? `${n}=${f(eq === -1 ? '' : p.slice(eq + 1))}` : p;
  });
}

/**
 * `req` with the signed part changed, or undefined when the mutation has nothing to act on (no query to
 * drop from, say) — the property then skips the case.
 */
export function applySignedPartMutation(req: AuthRequest, m: SignedPartMutation): AuthRequest | undefined {
  const presigned = isPresigned(req);
  const { path, pairs } = splitUrl(req.rawUrl);
  const headers = { ...req.headers };
  const signed = signedHeaderNames(req);
  const authorization = typeof headers.authorization === 'string' ? headers.authorization : '';
  switch (m.kind) {
    case 'method': {
      const others = METHODS.filter((x) => x !== req.method);
      return { ...req, method: pick(others, m.n) ?? 'GET' };
    }
    case 'path-append':
      return { ...req, rawUrl: joinUrl(path + m.text, pairs) };
    case 'bucket':
      return { ...req, rawUrl: joinUrl(path.replace(/^\/([^/]*)/, '/$1x'), pairs) };
    case 'query-add':
      return { ...req, rawUrl: joinUrl(path, [...pairs, `${m.name}=1`]) };
    case 'query-drop': {
      const victim = pick(pairs.filter((p) => !p.startsWith('X-Amz-Signature=')), m.n);
      return victim === undefined ? undefined : { ...req, rawUrl: joinUrl(path, pairs.filter((p) => p !== victim)) };
    }
    case 'query-change': {
      const i = pairs.length === 0 ? -1 : m.n % pairs.length;
      if (i === -1 || pairs[i]?.startsWith('X-Amz-Signature=')) return undefined;
      return { ...req, rawUrl: joinUrl(path, pairs.map((p, j) => (j === i ? `${p.includes('=') ? p : `${p}=`}x` : p))) };
    }
    case 'header-change': {
      const name = pick(signed.filter((n) => headers[n] !== undefined), m.n);
      if (name === undefined) return undefined;
      return { ...req, headers: { ...headers, [name]: `${String(headers[name])}x` } };
    }
    case 'header-drop': {
      const name = pick(signed.filter((n) => headers[n] !== undefined), m.n);
      if (name === undefined) return undefined;
      delete headers[name];
      return { ...req, headers };
    }
    case 'date-shift':
      if (presigned) {
        return { ...req, rawUrl: joinUrl(path, mapQueryValue(pairs, 'X-Amz-Date', (v) => shiftAmzDate(v, m.seconds))) };
      }
      return { ...req, headers: { ...headers, 'x-amz-date': shiftAmzDate(String(headers['x-amz-date']), m.seconds) } };
    case 'payload-hash':
      if (presigned) return { ...req, rawUrl: joinUrl(path, [...pairs, `X-Amz-Content-Sha256=${m.value}`]) };
      if (headers['x-amz-content-sha256'] === m.value) return undefined;
      return { ...req, headers: { ...headers, 'x-amz-content-sha256': m.value } };
    case 'signature-flip': {
      const flip = (sig: string): string => sig.slice(0, m.n) + (sig[m.n] === '0' ? '1' : '0') + sig.slice(m.n + 1);
      if (presigned) return { ...req, rawUrl: joinUrl(path, mapQueryValue(pairs, 'X-Amz-Signature', flip)) };
      return { ...req, headers: { ...headers, authorization: authorization.replace(/Signature=([0-9a-f]+)/, (_, sig: string) => `Signature=${flip(sig)}`) } };
    }
    case 'scope-region': {
      const swap = (credential: string): string => credential.replace(/(\d{8})(\/|%2F)[^/%]+(\/|%2F)s3/, `$1$2${m.region}$3s3`);
      if (presigned) return { ...req, rawUrl: joinUrl(path, mapQueryValue(pairs, 'X-Amz-Credential', swap)) };
      return { ...req, headers: { ...headers, authorization: authorization.replace(/Credential=[^,]+/, swap) } };
    }
    case 'signed-list-drop': {
      // Leaving `host` out is its own rule (host must be signed); any other name dropped breaks the signature.
      const name = pick(signed, m.n);
      if (name === undefined || signed.length < 2) return undefined;
      const list = signed.filter((n) => n !== name).join(';');
      if (presigned) return { ...req, rawUrl: joinUrl(path, mapQueryValue(pairs, 'X-Amz-SignedHeaders', () => encodeURIComponent(list))) };
      return { ...req, headers: { ...headers, authorization: authorization.replace(/SignedHeaders=[^,]+/, `SignedHeaders=${list}`) } };
    }
  }
}

/** `req` with an unsigned header added, or undefined when that header is already signed. */
export function applyUnsignedAddition(req: AuthRequest, a: UnsignedAmzAddition): AuthRequest | undefined {
  if (signedHeaderNames(req).includes(a.name) || req.headers[a.name] !== undefined) return undefined;
  return { ...req, headers: { ...req.headers, [a.name]: a.value } };
}

/** `req` changed harmlessly, or undefined when the mutation has nothing to act on. */
export function applyHarmlessMutation(req: AuthRequest, m: HarmlessMutation): AuthRequest | undefined {
  const { path, pairs } = splitUrl(req.rawUrl);
  switch (m.kind) {
    case 'add-header':
      if (req.headers[m.name] !== undefined) return undefined;
      return { ...req, headers: { ...req.headers, [m.name]: m.value } };
    case 'reorder-headers':
      return { ...req, headers: Object.fromEntries(shuffled(Object.entries(req.headers), m.seed)) };
    case 'reorder-query':
      return { ...req, rawUrl: joinUrl(path, shuffled(pairs, m.seed)) };
    case 'inner-spaces': {
      const headers = { ...req.headers };
      let changed = false;
      for (const name of signedHeaderNames(req)) {
        const v = headers[name];
        if (typeof v === 'string' && / /.test(v.trim())) {
          headers[name] = v.replace(/ +/g, (run) => `${run}  `);
          changed = true;
        }
      }
      return changed ? { ...req, headers } : undefined;
    }
    case 'escape-case': {
      // %2F → %2f, and the first unreserved letter of the key escaped (%61 for `a`): the same decoded path.
      const keyStart = path.indexOf('/', 1) + 1;
      if (keyStart === 0) return undefined;
      let done = false;
      const key = path.slice(keyStart).replace(/%[0-9A-Fa-f]{2}|[A-Za-z0-9]/g, (token) => {
        if (token.startsWith('%')) return token.toLowerCase();
        if (done) return token;
        done = true;
        return `%${token.charCodeAt(0).toString(16).toUpperCase()}`;
      });
      const escaped = path.slice(0, keyStart) + key;
      return escaped === path ? undefined : { ...req, rawUrl: joinUrl(escaped, pairs) };
    }
  }
}
