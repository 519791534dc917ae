/**
 * Raw HTTP/1.1 over node:net for the robustness tests: requests written byte for byte (stalled, trickled,
 * malformed, oversized), and the server's answer read as it comes off the socket, with how the connection
 * ended (closed by the server, reset, or still open). Requests are signed with the AWS SDK's own SigV4 signer.
 */
import net from 'node:net';
import type { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { expect } from 'vitest';

/** An HTTP response parsed from the bytes received. */
export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One client connection, recording everything the server sends and how the connection ends. */
export class RawConnection {
  readonly socket: net.Socket;
  #received = Buffer.alloc(0);
  /** The socket error the client saw (ECONNRESET, EPIPE), if any. */
  error: NodeJS.ErrnoException | undefined;
  /** True once the server's side has ended (FIN) or the socket closed. */
  ended = false;
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => (this.#received = Buffer.concat([this.#received, d])));
    socket.on('error', (e: NodeJS.ErrnoException) => (this.error ??= e));
    socket.on('end', () => (this.ended = true));
    socket.on('close', () => {
      this.ended = true;
      this.closed = true;
    });
  }

  /**
   * Connects to 127.0.0.1:port. With `halfOpen`, the client keeps its sending half open when the server closes
   * its own (as a client busy writing a large body does), instead of Node's default of ending it too.
   */
  static open(port: number, options: { halfOpen?: boolean } = {}): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: options.halfOpen ?? false });
      socket.once('connect', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Everything received so far, as Latin-1 text. */
  get text(): string {
    return this.#received.toString('latin1');
  }

  /** Writes bytes unless the connection is gone (a server that closed on us is what some tests expect). */
  write(data: string | Buffer): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(data);
  }

  /** Waits (polling, bounded) until `done()` holds; returns whether it did within `timeoutMs`. */
  async until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) return false;
      await sleep(10);
    }
    return true;
  }

  /** The first complete response received within `timeoutMs` (headers and Content-Length bytes of body). */
  async response(timeoutMs: number): Promise<RawResponse> {
    let parsed: RawResponse | undefined;
    const got = await this.until(() => (parsed = parseResponse(this.#received)) !== undefined || this.closed, timeoutMs);
    parsed ??= parseResponse(this.#received);
    if (!got || parsed === undefined) {
      throw new Error(`no complete response within ${timeoutMs} ms (closed: ${this.closed}, error: ${this.error?.code}, received: ${JSON.stringify(this.text.slice(0, 200))})`);
    }
    return parsed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Parses the first response in `bytes`, or undefined while it is incomplete. */
export function parseResponse(bytes: Buffer): RawResponse | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine);
  if (!status) throw new Error(`not an HTTP/1.1 status line: ${statusLine}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const body = bytes.subarray(end + 4);
  if (body.length < length) return undefined;
  return { status: Number(status[1]), headers, body: body.subarray(0, length).toString('utf8') };
}

/**
 * Asserts `res` is an S3 error document (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html):
 * the status, Content-Type application/xml, `<Error>` with Code, Message and RequestId, and x-amz-request-id.
 */
export function expectS3Error(res: RawResponse, status: number, code: string): void {
  expect(res.status, res.body).toBe(status);
  expect(res.headers['content-type']).toBe('application/xml');
  expect(res.body).toMatch(new RegExp(`^<\\?xml version="1\\.0" encoding="UTF-8"\\?>\\n<Error><Code>${code}</Code><Message>[^<]+</Message>.*<RequestId>[0-9A-F]{16}</RequestId>.*</Error>$`, 's'));
  expect(res.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
}

/** The AWS SDK's SigV4 signer with the credentials, region and hash of `client`. */
export async function signerOf(client: S3Client): Promise<SignatureV4> {
  const config = client.config;
  return new SignatureV4({ credentials: await config.credentials(), region: await config.region(), service: 's3', sha256: config.sha256, uriEscapePath: false });
}

/**
 * The head of a request signed in the Authorization header with `UNSIGNED-PAYLOAD` (the body is not hashed,
 * so it can be sent late, slowly or never): request line and headers, ending with the blank line.
 */
export async function signedHead(
  signer: SignatureV4,
  port: number,
  req: { method: string; path: string; query?: Record<string, string>; headers?: Record<string, string> },
): Promise<string> {
  const host = `127.0.0.1:${port}`;
  const signed = await signer.sign({
    method: req.method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path: req.path,
    query: req.query ?? {},
    headers: { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...req.headers },
  });
  const query = Object.entries(req.query ?? {})
    .map(([k, v]) => (v === '' ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`))
    .join('&');
  const lines = [`${req.method} ${req.path}${query === '' ? '' : `?${query}`} HTTP/1.1`];
  for (const [name, value] of Object.entries(signed.headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}
