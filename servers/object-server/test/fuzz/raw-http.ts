/**
 * A raw HTTP/1.1 client over node:net for the fuzz suite: it writes exactly the bytes it is given (request
 * lines, headers and bodies that no HTTP library would produce) and reads one answer, framed by its
 * Content-Length or chunked Transfer-Encoding (RFC 9112 §6), or by the end of the connection. Every exchange is
 * bounded by a timeout, so a server that never answers is reported as a hang instead of stalling the suite.
 */
import net from 'node:net';

/** One answer read off the wire. */
export interface RawAnswer {
  kind: 'answer';
  status: number;
  /** Header names lower-cased; repeated headers joined by `, `. */
  headers: Record<string, string>;
  body: Buffer;
  /** The status line and headers as received, for failure messages. */
  head: string;
}

/** What an exchange came to: an answer, a connection closed before any answer, or nothing within the timeout. */
export type RawOutcome = RawAnswer | { kind: 'closed'; received: Buffer } | { kind: 'timeout'; received: Buffer };

/** Options of {@link sendRaw}. */
export interface SendRawOptions {
  /** Give up (and report a hang) after this long. @default 5000 */
  timeoutMs?: number;
  /** The request's method, needed to know that a HEAD answer has no body. @default taken from the bytes */
  method?: string;
  /** Half-close the connection after writing (the server then sees the end of the body). @default false */
  endAfterWrite?: boolean;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** Parses a status line and header block. */
function parseHead(head: string): { status: number; headers: Record<string, string> } | undefined {
  const lines = head.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (m === null) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: Number(m[1]), headers };
}

/** A complete chunked body and the bytes its framing took, or undefined while it is incomplete. */
function dechunk(data: Buffer): { body: Buffer; length: number } | undefined {
  const out: Buffer[] = [];
  let i = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', i);
    if (eol === -1) return undefined;
    const size = parseInt(data.subarray(i, eol).toString('latin1').split(';')[0] ?? '', 16);
    if (Number.isNaN(size)) throw new Error(`bad chunk size in the answer: ${data.subarray(i, eol).toString('latin1')}`);
    if (size === 0) {
      // The last chunk's line ends at `eol`; the (empty) trailer section ends with the next blank line.
      const blank = data.indexOf(CRLF2, eol);
      return blank === -1 ? undefined : { body: Buffer.concat(out), length: blank + 4 };
    }
    if (data.length < eol + 2 + size + 2) return undefined;
    out.push(data.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
}

/**
 * The first answer in `data` and the bytes it took, once complete (`ended`: the server closed the connection),
 * else undefined.
 */
function firstAnswer(data: Buffer, method: string, ended: boolean): { answer: RawAnswer; length: number } | undefined {
  const end = data.indexOf(CRLF2);
  if (end === -1) return undefined;
  const head = data.subarray(0, end).toString('latin1');
  const parsed = parseHead(head);
  if (parsed === undefined) throw new Error(`not an HTTP answer: ${JSON.stringify(head.slice(0, 200))}`);
  const start = end + 4;
  const rest = data.subarray(start);
  const { status, headers } = parsed;
  // 1xx answers (100 Continue) precede the real one.
  if (status >= 100 && status < 200) {
    const next = firstAnswer(rest, method, ended);
    return next === undefined ? undefined : { answer: next.answer, length: start + next.length };
  }
  const answer = (body: Buffer, length: number) => ({ answer: { kind: 'answer' as const, status, headers, body, head }, length: start + length });
  if (method === 'HEAD' || status === 204 || status === 304) return answer(Buffer.alloc(0), 0);
  if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) {
    const chunked = dechunk(rest);
    return chunked === undefined ? undefined : answer(chunked.body, chunked.length);
  }
  const length = headers['content-length'];
  if (length !== undefined) {
    const n = Number(length);
    return rest.length >= n ? answer(rest.subarray(0, n), n) : undefined;
  }
  return ended ? answer(rest, rest.length) : undefined;
}

/** The request method named by the first bytes of a request (for HEAD framing). */
function methodOf(request: Buffer): string {
  const space = request.indexOf(' ');
  return space > 0 && space < 32 ? request.subarray(0, space).toString('latin1') : '';
}

/** Sends `request` on a new connection to 127.0.0.1:`port` and reads one answer. */
export function sendRaw(port: number, request: Buffer | Buffer[], opts: SendRawOptions = {}): Promise<RawOutcome> {
  const parts = Array.isArray(request) ? request : [request];
  const method = opts.method ?? methodOf(parts[0] ?? Buffer.alloc(0));
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    let settled = false;
    const socket = net.connect({ host: '127.0.0.1', port });
    const finish = (outcome: RawOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout', received: Buffer.concat(received) }), opts.timeoutMs ?? 5000);
    const check = (ended: boolean): void => {
      const data = Buffer.concat(received);
      let answer: RawAnswer | undefined;
      try {
        answer = firstAnswer(data, method, ended)?.answer;
      } catch {
        answer = undefined;
      }
      if (answer !== undefined) finish(answer);
      else if (ended) finish({ kind: 'closed', received: data });
    };
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      check(false);
    });
    socket.on('end', () => check(true));
    socket.on('close', () => check(true));
    // A server that answers early and resets the connection while the request is still being written.
    socket.on('error', () => check(true));
    socket.on('connect', () => {
      for (const p of parts) socket.write(p);
      if (opts.endAfterWrite === true) socket.end();
    });
  });
}

/** What a pipelined exchange came to: the answers in order, and how the connection ended. */
export interface PipelinedOutcome {
  answers: RawAnswer[];
  /** `closed`: the server closed the connection; `open`: it is still open after the last answer expected. */
  end: 'closed' | 'open' | 'timeout';
  /** Bytes received after the last whole answer. */
  leftover: Buffer;
}

/**
 * Writes all `requests` on one connection at once (HTTP/1.1 pipelining, RFC 9112 §9.3.2) and reads answers
 * until there is one per request, or one announces `Connection: close` and the server then closes the
 * connection, or `timeoutMs` passes.
 */
export function sendPipelined(port: number, requests: { bytes: Buffer; method: string }[], timeoutMs = 5000): Promise<PipelinedOutcome> {
  return new Promise((resolve) => {
    const answers: RawAnswer[] = [];
    let pending = Buffer.alloc(0);
    let settled = false;
    const socket = net.connect({ host: '127.0.0.1', port });
    const finish = (end: PipelinedOutcome['end']): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ answers, end, leftover: pending });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    // After an answer announcing `Connection: close`, only the end of the connection is awaited.
    let closing = false;
    const drain = (ended: boolean): void => {
      while (!closing) {
        const request = requests[answers.length];
        if (request === undefined) return finish(ended ? 'closed' : 'open');
        let next: { answer: RawAnswer; length: number } | undefined;
        try {
          next = firstAnswer(pending, request.method, ended);
        } catch {
          next = undefined;
        }
        if (next === undefined || (next.length === 0 && pending.length === 0)) break;
        answers.push(next.answer);
        pending = pending.subarray(next.length);
        closing = (next.answer.headers.connection ?? '').toLowerCase() === 'close';
      }
      if (ended) finish('closed');
    };
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      drain(false);
    });
    socket.on('end', () => drain(true));
    socket.on('close', () => drain(true));
    socket.on('error', () => drain(true));
    socket.on('connect', () => socket.write(Buffer.concat(requests.map((r) => r.bytes))));
  });
}

/** Describes an outcome in one line (for property failure messages). */
export function describeOutcome(outcome: RawOutcome): string {
  if (outcome.kind === 'answer') return `${outcome.status} ${outcome.body.toString('utf8').slice(0, 600)}`;
  return `${outcome.kind} after ${outcome.received.length} bytes: ${JSON.stringify(outcome.received.toString('latin1').slice(0, 300))}`;
}
