/**
 * A memo of presigned URLs whose SigV4 signature verified. A presigned URL is often fetched many times (a
 * media file handed to players, an object behind a CDN): its signature covers the method, the path, the query
 * and the signed headers' values, all fixed, so once it verified it verifies again for the same inputs — only
 * the time window moves. The memo keeps the result per `method + raw URL`, with the signed headers' values and
 * the window, and answers a repeat without the canonical request, the SHA-256 and the HMAC (a third of a
 * 4 KiB GET's CPU). Anything that differs — a header value, an unsigned `x-amz-*` header added
 * (signed-headers.ts), the clock outside the window — misses, and the full verification answers (with its
 * exact error). Bounded: least recently used out.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 */
import { coversRequiredHeaders } from './signed-headers.ts';
import type { AuthRequest, AuthResult, RequestHeaders } from './types.ts';

interface Entry {
  result: AuthResult;
  signedHeaders: readonly string[];
  /** The signed headers' values when it verified, joined by newlines. */
  values: string;
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
    const id = `${req.method} ${req.rawUrl}`;
    const entry = this.#entries.get(id);
    if (entry === undefined || now < entry.notBefore || now > entry.expiresAt) return undefined;
    // Request headers from node:http are lower-case; a differently cased one simply misses.
    if (joinedValues(req.headers, entry.signedHeaders) !== entry.values) return undefined;
    // An x-amz-* header added to a remembered URL misses too: the full path answers HeadersNotSigned.
    if (!coversRequiredHeaders(req.headers, entry.signedHeaders)) return undefined;
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    this.#hits++;
    return entry.result;
  }

  /** Remembers a verified presigned request (headers as the verifier saw them, lower-cased). */
  remember(req: AuthRequest, headers: Map<string, string | string[]>, signedHeaders: readonly string[], result: AuthResult, window: { notBefore: number; expiresAt: number }): void {
    if (this.#max === 0) return;
    const values = joinedValues(headers, signedHeaders);
    if (values === undefined) return;
    const id = `${req.method} ${req.rawUrl}`;
    this.#entries.delete(id);
    if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(id, { result: Object.freeze({ ...result, payload: Object.freeze({ ...result.payload }) }), signedHeaders, values, ...window });
  }
}
