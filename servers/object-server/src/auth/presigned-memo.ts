/**
 * A memo of presigned URLs whose SigV4 signature verified. A presigned URL is often fetched many times (a
 * media file handed to players, an object behind a CDN): its signature covers the method, the path, the query
 * and the signed headers' values, all fixed, so once it verified it verifies again for the same inputs — only
 * the time window moves. The memo keeps the result per method and raw URL, with the signed headers' values and
 * the window, and answers a repeat without the canonical request, the SHA-256 and the HMAC (a third of a 4 KiB
 * GET's CPU). Anything that differs — a header value, an unsigned `x-amz-*` header added (signed-headers.ts),
 * the clock outside the window — misses, and the full verification answers (with its exact error). Bounded:
 * least recently used out (approximately: a "second chance" clock, so a hit moves nothing).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 */
import { coversRequiredHeaders } from './signed-headers.ts';
import type { AuthRequest, AuthResult, RequestHeaders } from './types.ts';

interface Entry {
  /** The method and the raw URL that verified: a hit must match both exactly. */
  method: string;
  rawUrl: string;
  result: AuthResult;
  signedHeaders: readonly string[];
  /** The signed headers' values when it verified, joined by newlines. */
  values: string;
  /** Hit since eviction last passed over it. */
  used?: boolean;
  /** Earliest and latest server time (epoch ms) at which the full check accepts the URL. */
  notBefore: number;
  expiresAt: number;
}

function valueOf(headers: RequestHeaders | Map<string, string | string[]>, name: string): string | undefined {
  const v = headers instanceof Map ? headers.get(name) : headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function joinedValues(headers: RequestHeaders | Map<string, string | string[]>, names: readonly string[]): string | undefined {
  let out = '';
  for (let i = 0; i < names.length; i++) {
    const v = valueOf(headers, names[i] as string);
    if (v === undefined) return undefined;
    out += i === 0 ? v : `\n${v}`;
  }
  return out;
}

const SIGNATURE = 'X-Amz-Signature=';

/**
 * The map key of a URL: its signature's 64 hex digits when it carries one, else the whole URL. Hashing the
 * whole raw URL (hundreds of characters, a new string per request) was the largest item of a presigned GET's
 * authentication (GET profile). The key only finds the entry; a hit also compares the whole URL, so URLs that
 * share a signature never share an answer.
 */
function memoKey(rawUrl: string): string {
  const at = rawUrl.lastIndexOf(SIGNATURE);
  return at === -1 ? rawUrl : rawUrl.slice(at + SIGNATURE.length, at + SIGNATURE.length + 64);
}

/** The memo; see the module comment. */
export class PresignedMemo {
  readonly #max: number;
  readonly #entries = new Map<string, Entry>();
  #hits = 0;

  /** `max` entries at most (0 turns the memo off). */
  constructor(max: number) {
    this.#max = max;
  }

  /** Answers served from the memo so far. */
  get hits(): number {
    return this.#hits;
  }

  /**
   * The remembered result for `req` at server time `now`, or undefined. The caller has checked that the
   * request carries no Authorization header (two auth mechanisms are an error the full path reports).
   */
  lookup(req: AuthRequest, now: number): AuthResult | undefined {
    if (this.#max === 0) return undefined;
    const id = memoKey(req.rawUrl);
    const entry = this.#entries.get(id);
    if (entry === undefined || entry.rawUrl !== req.rawUrl || entry.method !== req.method) return undefined;
    if (now < entry.notBefore || now > entry.expiresAt) return undefined;
    // Request headers from node:http are lower-case; a differently cased one simply misses.
    if (joinedValues(req.headers, entry.signedHeaders) !== entry.values) return undefined;
    // An x-amz-* header added to a remembered URL misses too: the full path answers HeadersNotSigned.
    if (!coversRequiredHeaders(req.headers, entry.signedHeaders)) return undefined;
    // Marked, not moved: a delete and re-insert per hit left a trail of deleted slots in the map that every
    // lookup walked until the next rehash (GET profile). Eviction gives marked entries a second chance.
    entry.used = true;
    this.#hits++;
    return entry.result;
  }

  /** Remembers a verified presigned request (headers as the verifier saw them, lower-cased). */
  remember(req: AuthRequest, headers: Map<string, string | string[]>, signedHeaders: readonly string[], result: AuthResult, window: { notBefore: number; expiresAt: number }): void {
    if (this.#max === 0) return;
    const values = joinedValues(headers, signedHeaders);
    if (values === undefined) return;
    const id = memoKey(req.rawUrl);
    this.#entries.delete(id);
    while (this.#entries.size >= this.#max) {
      const [oldest, candidate] = this.#entries.entries().next().value as [string, Entry];
      this.#entries.delete(oldest);
      if (candidate.used) {
        candidate.used = false;
        this.#entries.set(oldest, candidate);
      }
    }
    this.#entries.set(id, { method: req.method, rawUrl: req.rawUrl, result: Object.freeze({ ...result, payload: Object.freeze({ ...result.payload }) }), signedHeaders, values, ...window });
  }
}
