/**
 * Answers of headers only (PutObject, https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html) are
 * written straight to the socket (dispatch.ts): pinned here, over raw HTTP/1.1 on one kept-alive connection, is
 * what a client reads — status, ETag, checksum headers, the request ids, CORS headers, `content-length: 0` and
 * no body — what the metrics count, and that the answers that must keep fastify's path (204, HEAD, errors) do.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

/** One parsed answer. */
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A kept-alive client connection that sends a request and reads exactly one answer. */
class Connection {
  readonly #socket: net.Socket;
  #buffered = '';
  #waiting: (() => void) | undefined;

  constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on('data', (d: Buffer) => {
      this.#buffered += d.toString('latin1');
      this.#waiting?.();
    });
  }

  static async open(port: number): Promise<Connection> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new Connection(socket);
  }

  async request(head: string, body = '', expectBody = true): Promise<Answer> {
    this.#socket.write(`${head}\r\nHost: 127.0.0.1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    for (let i = 0; i < 200; i++) {
      const answer = this.#take(expectBody);
      if (answer) return answer;
      await new Promise<void>((resolve) => {
        this.#waiting = resolve;
        setTimeout(resolve, 25);
      });
    }
    throw new Error(`no whole answer to ${head}: ${JSON.stringify(this.#buffered)}`);
  }

  #take(expectBody: boolean): Answer | undefined {
    const end = this.#buffered.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const [statusLine = '', ...lines] = this.#buffered.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = expectBody ? Number(headers['content-length'] ?? 0) : 0;
    if (this.#buffered.length < end + 4 + length) return undefined;
    const body = this.#buffered.slice(end + 4, end + 4 + length);
    this.#buffered = this.#buffered.slice(end + 4 + length);
    return { status: Number(statusLine.split(' ')[1]), headers, body };
  }

  close(): void {
    this.#socket.destroy();
  }
}

let server: TestServer;
let conn: Connection;

beforeAll(async () => {
  server = await startServer({ allowAnonymous: true });
  conn = await Connection.open(server.port);
  expect((await conn.request('PUT /answers HTTP/1.1')).status).toBe(200);
  const cors = '<CORSConfiguration><CORSRule><AllowedOrigin>http://app.example</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><ExposeHeader>ETag</ExposeHeader></CORSRule></CORSConfiguration>';
  expect((await conn.request('PUT /answers?cors HTTP/1.1', cors)).status).toBe(200);
});

afterAll(async () => {
  conn.close();
  await server.close();
});

describe('header-only answers', () => {
  it('answers PutObject with its headers, content-length 0 and no body, and keeps the connection', async () => {
    const put = await conn.request('PUT /answers/a HTTP/1.1\r\nx-amz-checksum-crc32: NhCmhg==', 'hello');
    expect(put.status).toBe(200);
    expect(put.body).toBe('');
    expect(put.headers).toMatchObject({
      etag: '"5d41402abc4b2a76b9719d911017c592"',
      'x-amz-checksum-crc32': 'NhCmhg==',
      'x-amz-checksum-type': 'FULL_OBJECT',
      'content-length': '0',
      connection: 'keep-alive',
    });
    expect(put.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
    expect(put.headers['x-amz-id-2']).toBe(Buffer.from(put.headers['x-amz-request-id'] as string).toString('base64'));
    expect(put.headers['transfer-encoding']).toBeUndefined();
    // The same connection carries the next request: the answer ended where its headers said.
    const get = await conn.request('GET /answers/a HTTP/1.1');
    expect(get.status).toBe(200);
    expect(get.body).toBe('hello');
  });

  it('adds the bucket CORS rule headers to a cross-origin PutObject', async () => {
    const put = await conn.request('PUT /answers/b HTTP/1.1\r\nOrigin: http://app.example', 'x');
    expect(put.status).toBe(200);
    expect(put.headers['access-control-allow-origin']).toBe('http://app.example');
    expect(put.headers['access-control-expose-headers']).toBe('ETag');
    expect(put.headers['content-length']).toBe('0');
  });

  it('leaves 204, HEAD and error answers to the ordinary path', async () => {
    const del = await conn.request('DELETE /answers/b HTTP/1.1');
    expect(del.status).toBe(204);
    expect(del.body).toBe('');
    const head = await conn.request('HEAD /answers/a HTTP/1.1', '', false);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('5');
    // An error answered before the body was read closes its connection (app.ts): a connection of its own.
    const other = await Connection.open(server.port);
    const missing = await other.request('PUT /no-such-bucket/k HTTP/1.1', 'x');
    other.close();
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('<Code>NoSuchBucket</Code>');
  });

  it('counts PutObject answers and their bytes in the metrics', async () => {
    const metrics = async () => (await conn.request('GET /metrics HTTP/1.1')).body;
    const count = (text: string) => Number(/^strata_s3_requests_total\{operation="PutObject",status="200"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    const received = (text: string) => Number(/^strata_s3_received_bytes_total (\d+)$/m.exec(text)?.[1] ?? 0);
    const before = await metrics();
    await conn.request('PUT /answers/c HTTP/1.1', 'four');
    await conn.request('PUT /answers/d HTTP/1.1', 'four');
    const after = await metrics();
    expect(count(after) - count(before)).toBe(2);
    expect(received(after) - received(before)).toBe(8);
  });
});
