/**
 * The query string of a request, read the way `URLSearchParams` reads it (`application/x-www-form-urlencoded`:
 * `&`-separated pairs, `+` is a space, percent escapes decoded, a malformed escape kept as written), but decoded
 * lazily: names once, a value only when a handler asks for it.
 *
 * Why not `URLSearchParams`: a presigned GET carries seven `X-Amz-*` parameters whose values (credential,
 * signature, signed headers) the handlers never read — the authenticator works on the raw query — yet
 * `URLSearchParams` decodes every one of them on construction; that parse showed as the largest single item
 * of request routing in the GET profile. Only `get`, `has` and `keys` exist: what the router and the handlers use.
 */
import { unescape as unescapeComponent } from 'node:querystring';

/** Decodes one query component: `+` is a space, then percent escapes (lenient, like URLSearchParams). */
function decodeComponent(raw: string): string {
  if (raw.indexOf('%') === -1 && raw.indexOf('+') === -1) return raw;
  return unescapeComponent(raw.replace(/\+/g, ' '));
}

/** A request's query parameters (see the module comment). */
export class QueryParams {
  /** Decoded names and raw values, alternating, in request order. */
  readonly #pairs: string[] = [];

  /** Parses `raw`, the query string without its leading `?`. */
  constructor(raw: string) {
    let start = 0;
    const end = raw.length;
    while (start < end) {
      let amp = raw.indexOf('&', start);
      if (amp === -1) amp = end;
      if (amp > start) {
        const eq = raw.indexOf('=', start);
        const nameEnd = eq === -1 || eq > amp ? amp : eq;
        this.#pairs.push(decodeComponent(raw.slice(start, nameEnd)), nameEnd === amp ? '' : raw.slice(nameEnd + 1, amp));
      }
      start = amp + 1;
    }
  }

  /** The first value of `name`, decoded, or null (as `URLSearchParams.get`). */
  get(name: string): string | null {
    const pairs = this.#pairs;
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === name) return decodeComponent(pairs[i + 1] as string);
    return null;
  }

  /** Whether `name` occurs (with or without a value). */
  has(name: string): boolean {
    const pairs = this.#pairs;
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === name) return true;
    return false;
  }

  /** The decoded names, in request order, repeats included. */
  *keys(): IterableIterator<string> {
    const pairs = this.#pairs;
    for (let i = 0; i < pairs.length; i += 2) yield pairs[i] as string;
  }

  /** The number of parameters, repeats included. */
  get size(): number {
    return this.#pairs.length / 2;
  }

  /** The name of the `i`-th parameter (0-based), for loops that must not allocate an iterator. */
  nameAt(i: number): string | undefined {
    return this.#pairs[i * 2];
  }
}
