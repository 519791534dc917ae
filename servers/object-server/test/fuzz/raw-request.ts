/**
 * A whole random request (method, target, headers, authentication, body and its framing) as plain data, and
 * its encoding to the bytes sent. Most requests are validly signed, so they get past authentication and
 * reach the router and the handlers with their random parts; the rest carry a broken Authorization header,
 * broken presigned parameters, or nothing (anonymous).
 *
 * {@link wellFormedRequest} keeps to HTTP/1.1's message syntax (RFC 9112): everything random is S3-level.
 * {@link malformedRequest} breaks that syntax once — framing (two Content-Lengths, Transfer-Encoding with
 * Content-Length, a body cut short by the end of the connection, RFC 9112 §6.3), an oversized header, no Host,
 * bad bytes in the request target or a header line, a bad HTTP version — which the server's HTTP layer must
 * still answer with an S3 error. {@link undefinedMethodRequest} uses a method S3 does not define.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { signRequest } from '../../src/auth/index.ts';
import { CREDENTIALS } from './fuzz-server.ts';
import { badAuthorization, badPresignedQuery, extraHeaders } from './header-generators.ts';
import type { RawHeader } from './header-generators.ts';
import { queryString, requestPath } from './path-generators.ts';

/** How a request authenticates. */
export type RequestAuth =
  | { kind: 'signed'; payloadHash: 'unsigned' | 'body' | 'wrong' | 'streaming-unsigned-trailer' }
  | { kind: 'authorization'; value: string; date: string | undefined }
  | { kind: 'presigned'; query: string }
  | { kind: 'none' };

/** A well-formed request as data (shrinkable, printable). */
export interface RawRequestCase {
  method: string;
  version: 'HTTP/1.1' | 'HTTP/1.0';
  /** `path`: 127.0.0.1 (path-style); `virtual`: `fuzz.localhost` (virtual-hosted style); `other`: a foreign name. */
  host: 'path' | 'virtual' | 'other';
  path: string;
  query: string;
  headers: RawHeader[];
  auth: RequestAuth;
  framing: 'none' | 'length' | 'chunked';
  body: Uint8Array;
}

/** One break of HTTP/1.1's message syntax. */
export type Malformation =
  | { kind: 'framing'; framing: 'two-lengths' | 'chunked-and-length' | 'short-then-end' }
  | { kind: 'oversized-header'; bytes: number }
  | { kind: 'method'; method: string }
  | { kind: 'no-host' }
  | { kind: 'target'; insert: string }
  | { kind: 'version'; version: string }
  | { kind: 'header-line'; line: string };

/** A request with one {@link Malformation}. */
export interface MalformedRequestCase {
  base: RawRequestCase;
  malformation: Malformation;
}

const body = fc.oneof(
  { arbitrary: fc.constant(new Uint8Array(0)), weight: 3 },
  { arbitrary: fc.uint8Array({ maxLength: 2048 }), weight: 3 },
  {
    arbitrary: fc.constantFrom(
      '<Delete><Object><Key>a</Key></Object><Object><Key>../b</Key></Object></Delete>',
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>',
      '<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>',
      '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Delete>&a;</Delete>',
    ).map((xml) => new Uint8Array(Buffer.from(xml))),
    weight: 2,
  },
);

/** An x-amz-date near now, so a broken Authorization header is judged on its own faults, not on the clock. */
const nearNow = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

const auth: fc.Arbitrary<RequestAuth> = fc.oneof(
  {
    arbitrary: fc.constantFrom('unsigned', 'unsigned', 'unsigned', 'body', 'body', 'wrong', 'streaming-unsigned-trailer').map((payloadHash): RequestAuth => ({ kind: 'signed', payloadHash: payloadHash as 'unsigned' })),
    weight: 12,
  },
  {
    arbitrary: fc.tuple(badAuthorization, fc.option(fc.constantFrom('20130524T000000Z', nearNow), { nil: undefined })).map(([value, date]): RequestAuth => ({ kind: 'authorization', value, date })),
    weight: 3,
  },
  { arbitrary: badPresignedQuery.map((query): RequestAuth => ({ kind: 'presigned', query })), weight: 2 },
  { arbitrary: fc.constant<RequestAuth>({ kind: 'none' }), weight: 2 },
);

/** Request-line and header bytes a well-formed request may have: Node answers 431 past 16 KiB (an HTTP-level case). */
const MAX_HEAD_BYTES = 14_000;

function headBytes(c: RawRequestCase): number {
  return c.path.length + c.query.length + c.headers.reduce((n, [name, value]) => n + name.length + value.length + 4, 0);
}

/** Random requests within HTTP/1.1's syntax; see the module comment. */
export const wellFormedRequest: fc.Arbitrary<RawRequestCase> = fc.record({
  method: fc.oneof({ arbitrary: fc.constantFrom('GET', 'HEAD', 'PUT', 'POST', 'DELETE'), weight: 10 }, { arbitrary: fc.constantFrom('OPTIONS', 'PATCH'), weight: 1 }),
  version: fc.constantFrom<RawRequestCase['version']>('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0'),
  host: fc.constantFrom<RawRequestCase['host']>('path', 'path', 'path', 'path', 'virtual', 'other'),
  path: requestPath,
  query: queryString,
  headers: extraHeaders,
  auth,
  framing: fc.constantFrom<RawRequestCase['framing']>('length', 'length', 'none', 'chunked'),
  body,
}).filter((c) => headBytes(c) <= MAX_HEAD_BYTES);

const malformation: fc.Arbitrary<Malformation> = fc.oneof(
  fc.constantFrom('two-lengths', 'chunked-and-length', 'short-then-end').map((framing): Malformation => ({ kind: 'framing', framing: framing as 'two-lengths' })),
  fc.integer({ min: 17_000, max: 70_000 }).map((bytes): Malformation => ({ kind: 'oversized-header', bytes })),
  fc.constant<Malformation>({ kind: 'no-host' }),
  fc.constantFrom(' ', '\x01', '\x7f', 'é', '\xff', '"', '<', '{', '\\', '^', '`', '|', '#frag').map((insert): Malformation => ({ kind: 'target', insert })),
  fc.constantFrom('HTTP/2.0', 'HTTP/1.2', 'HTTP/1', 'HTTP/0.9', 'XYZ', 'HTTP/1.1 extra', '').map((version): Malformation => ({ kind: 'version', version })),
  fc.constantFrom('no colon here', ' leading-space: x', 'name : x', 'x-fold: a\r\n b', 'bad\x01name: x', 'x-nul: a\x00b', 'x-cr: a\rb', 'x-del: a\x7fb', ': empty-name').map((line): Malformation => ({ kind: 'header-line', line })),
);

/** Random requests with one break of HTTP/1.1's syntax; see the module comment. */
export const malformedRequest: fc.Arbitrary<MalformedRequestCase> = fc.record({ base: wellFormedRequest, malformation });

/**
 * Random requests whose method S3 does not define: tokens Node's parser accepts (WebDAV's, TRACE, CONNECT,
 * QUERY, …) and ones it refuses (lower case, unknown, empty).
 */
export const undefinedMethodRequest: fc.Arbitrary<MalformedRequestCase> = fc.record({
  base: wellFormedRequest,
  malformation: fc
    .constantFrom('TRACE', 'CONNECT', 'PROPFIND', 'SEARCH', 'M-SEARCH', 'LOCK', 'PURGE', 'MKCOL', 'COPY', 'QUERY', 'get', 'BREW', 'PRI', 'G ET', '')
    .map((method): Malformation => ({ kind: 'method', method })),
});

/** Names the signer sets itself or the framing owns: never taken from the random headers when signing. */
const OWNED = new Set(['host', 'authorization', 'x-amz-date', 'x-amz-content-sha256', 'content-length', 'transfer-encoding']);

/** A request in pieces, before serialization (malformations edit the pieces). */
interface RequestParts {
  method: string;
  target: string;
  version: string;
  headers: RawHeader[];
  framing: RawHeader[];
  body: Buffer;
  endAfterWrite: boolean;
}

/** The encoded request: bytes to send and whether to half-close after them. */
export interface EncodedRequest {
  bytes: Buffer;
  method: string;
  endAfterWrite: boolean;
}

function chunkedBody(data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from(data.length > 0 ? '\r\n0\r\n\r\n' : '\r\n')]);
}

/** The pieces of a well-formed case, signed when its auth says so. */
function partsOf(c: RawRequestCase, port: number): RequestParts {
  const data = Buffer.from(c.body);
  const framing: RawHeader[] = c.framing === 'length' ? [['content-length', String(data.length)]] : c.framing === 'chunked' ? [['transfer-encoding', 'chunked']] : [];
  const wireBody = c.framing === 'length' ? data : c.framing === 'chunked' ? chunkedBody(data) : Buffer.alloc(0);
  const hostValue = c.host === 'virtual' ? `fuzz.localhost:${port}` : c.host === 'other' ? 'example.com' : `127.0.0.1:${port}`;
  let target = c.query === '' ? c.path : `${c.path}?${c.query}`;
  let headers: RawHeader[];
  if (c.auth.kind === 'signed') {
    const seen = new Set<string>();
    const signable: Record<string, string> = {};
    const unsigned: RawHeader[] = [];
    for (const [name, value] of c.headers) {
      const lower = name.toLowerCase();
      if (!OWNED.has(lower) && !seen.has(lower) && /^[\x20-\x7e]*$/.test(value)) signable[lower] = value;
      else unsigned.push([name, value]);
      seen.add(lower);
    }
    const payloadHash = {
      unsigned: 'UNSIGNED-PAYLOAD',
      body: createHash('sha256').update(data).digest('hex'),
      wrong: createHash('sha256').update('something else').digest('hex'),
      'streaming-unsigned-trailer': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    }[c.auth.payloadHash];
    // Framing headers stay unsigned (malformations duplicate them); everything else chosen is signed.
    const signed = signRequest({ method: c.method, url: `http://${hostValue}${target}`, credentials: CREDENTIALS, headers: signable, payloadHash });
    target = signed.rawUrl;
    headers = [...Object.entries(signed.headers), ...unsigned];
  } else {
    if (c.auth.kind === 'presigned') target += (target.includes('?') ? '&' : '?') + c.auth.query;
    headers = [['Host', hostValue], ...c.headers];
    if (c.auth.kind === 'authorization') {
      headers.push(['Authorization', c.auth.value]);
      if (c.auth.date !== undefined) headers.push(['x-amz-date', c.auth.date]);
    }
  }
  return { method: c.method, target, version: c.version, headers, framing, body: wireBody, endAfterWrite: false };
}

function serialize(p: RequestParts): EncodedRequest {
  const lines = [...p.headers, ...p.framing].map(([n, v]) => (v === '\0raw' ? `${n}\r\n` : `${n}: ${v}\r\n`)).join('');
  const head = `${p.method} ${p.target} ${p.version}\r\n${lines}\r\n`;
  return { bytes: Buffer.concat([Buffer.from(head, 'latin1'), p.body]), method: p.method, endAfterWrite: p.endAfterWrite };
}

/** Encodes a well-formed case for the server on 127.0.0.1:`port`. */
export function encodeRequest(c: RawRequestCase, port: number): EncodedRequest {
  return serialize(partsOf(c, port));
}

/** Encodes a malformed case: the base request, then its one break. */
export function encodeMalformed(c: MalformedRequestCase, port: number): EncodedRequest {
  const p = partsOf(c.base, port);
  const m = c.malformation;
  const data = Buffer.from(c.base.body);
  switch (m.kind) {
    case 'framing':
      p.endAfterWrite = true;
      if (m.framing === 'two-lengths') {
        p.framing = [['content-length', String(data.length)], ['content-length', String(data.length + 1)]];
        p.body = data;
      } else if (m.framing === 'chunked-and-length') {
        p.framing = [['transfer-encoding', 'chunked'], ['content-length', String(data.length)]];
        p.body = chunkedBody(data);
      } else {
        p.framing = [['content-length', String(data.length + 10)]];
        p.body = data;
      }
      break;
    case 'oversized-header':
      p.headers.push(['x-amz-meta-big', 'b'.repeat(m.bytes)]);
      break;
    case 'method':
      p.method = m.method;
      break;
    case 'no-host':
      p.headers = p.headers.filter(([n]) => n.toLowerCase() !== 'host');
      p.version = 'HTTP/1.1';
      break;
    case 'target': {
      const at = Math.min(p.target.length, Math.max(1, p.target.indexOf('/', 1)));
      p.target = p.target.slice(0, at) + m.insert + p.target.slice(at);
      break;
    }
    case 'version':
      p.version = m.version;
      break;
    case 'header-line':
      p.headers.splice(1, 0, [m.line, '\0raw']);
      break;
  }
  return serialize(p);
}
