/**
 * Every answer is an S3 error document, whatever a client sends: requests Node's HTTP parser refuses (headers
 * over its limit, a duplicate or negative Content-Length, Content-Length with Transfer-Encoding, bad chunk
 * framing, garbage), a request without Host, and XML bodies far over their limit, which are refused with
 * `MaxMessageLengthExceeded` while the client is still sending and closed gracefully, so the client reads the
 * answer instead of a reset (RFC 9112 §9.6). Sent over raw sockets, as an attacker would.
 * S3's codes: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList.
 */
import { CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';
import { RawConnection, expectS3Error, parseResponse, signedHead, signerOf } from './raw-socket.ts';
import type { RawResponse } from './raw-socket.ts';

const Bucket = 'errs';
let server: TestServer;
let host: string;

beforeAll(async () => {
  server = await startServer();
  host = `127.0.0.1:${server.port}`;
  await server.client().send(new CreateBucketCommand({ Bucket }));
});
afterAll(async () => server.close());

/** Sends `data` on a fresh connection; returns the answer and the connection (to see how it ended). */
async function exchange(data: string | Buffer): Promise<{ res: RawResponse; conn: RawConnection }> {
  const conn = await RawConnection.open(server.port);
  conn.write(data);
  const res = await conn.response(5000);
  return { res, conn };
}

/** Asserts the server closed the connection after its answer (Connection: close, then end of stream, no reset). */
async function expectClosed(res: RawResponse, conn: RawConnection): Promise<void> {
  expect(res.headers.connection).toBe('close');
  expect(await conn.until(() => conn.ended, 5000)).toBe(true);
  expect(conn.error?.code).toBeUndefined();
  conn.destroy();
}

describe('requests the HTTP parser refuses are answered in S3 form, and closed', () => {
  it('headers over 16 KiB → 400 RequestHeaderSectionTooLarge with MaxSizeAllowed', async () => {
    const { res, conn } = await exchange(`GET /${Bucket}/k HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'x'.repeat(17 * 1024)}\r\n\r\n`);
    expectS3Error(res, 400, 'RequestHeaderSectionTooLarge');
    expect(res.body).toContain('<MaxSizeAllowed>16384</MaxSizeAllowed>');
    await expectClosed(res, conn);
  });

  it.each([
    ['a duplicate Content-Length', 'Content-Length: 1\r\nContent-Length: 2\r\n', 'ab', 'Duplicate Content-Length'],
    ['the same Content-Length twice', 'Content-Length: 1\r\nContent-Length: 1\r\n', 'a', 'Duplicate Content-Length'],
    ['Content-Length with Transfer-Encoding', 'Content-Length: 1\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n', 'Transfer-Encoding'],
    ['Content-Length: -1', 'Content-Length: -1\r\n', '', 'Content-Length'],
    ['a chunk size that is not hex', 'Transfer-Encoding: chunked\r\n', 'zz\r\nab\r\n0\r\n\r\n', 'chunk size'],
  ])('%s → 400 BadRequest naming the fault', async (_name, headers, body, reason) => {
    const { res, conn } = await exchange(`PUT /${Bucket}/framing HTTP/1.1\r\nHost: ${host}\r\n${headers}\r\n${body}`);
    expectS3Error(res, 400, 'BadRequest');
    expect(res.body).toMatch(new RegExp(`<Message>An error occurred when parsing the HTTP request: [^<]*${reason}[^<]*</Message>`));
    await expectClosed(res, conn);
    await expect(server.storage.head(`${Bucket}/framing`)).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('a request line that is not HTTP → 400 BadRequest', async () => {
    const { res, conn } = await exchange('HELLO THERE\r\n\r\n');
    expectS3Error(res, 400, 'BadRequest');
    await expectClosed(res, conn);
  });

  it('an HTTP/1.1 request without Host → 400 BadRequest (RFC 9112 §3.2)', async () => {
    const { res, conn } = await exchange(`GET /${Bucket}/k HTTP/1.1\r\n\r\n`);
    expectS3Error(res, 400, 'BadRequest');
    expect(res.body).toContain('Host');
    conn.destroy();
  });

  it.each(['SEARCH', 'PROPFIND', 'TRACE'])('a method no route serves (%s) → 405 MethodNotAllowed, not a JSON 404', async (method) => {
    const { res, conn } = await exchange(`${method} /${Bucket}/k HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    expectS3Error(res, 405, 'MethodNotAllowed');
    expect(res.body).toContain(`<Method>${method}</Method>`);
    conn.destroy();
  });

  it('CONNECT (which Node would drop) → 405 MethodNotAllowed, and closed', async () => {
    const { res, conn } = await exchange(`CONNECT ${host} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    expectS3Error(res, 405, 'MethodNotAllowed');
    await expectClosed(res, conn);
  });

  it('pipelined after a good request, bytes that do not parse are answered after its answer, in order', async () => {
    const conn = await RawConnection.open(server.port);
    conn.write(`GET /${Bucket}/none HTTP/1.1\r\nHost: ${host}\r\n\r\nNOT HTTP AT ALL\r\n\r\n`);
    expect(await conn.until(() => conn.ended, 5000)).toBe(true);
    const [first, second, ...rest] = conn.text.split(/(?=HTTP\/1\.1 )/);
    expectS3Error(parseResponse(Buffer.from(first ?? '', 'latin1')) as RawResponse, 403, 'AccessDenied');
    const refusal = parseResponse(Buffer.from(second ?? '', 'latin1')) as RawResponse;
    expectS3Error(refusal, 400, 'BadRequest');
    expect(refusal.headers.connection).toBe('close');
    expect(rest).toEqual([]);
    conn.destroy();
  });

  it('bytes pipelined after a Connection: close request are not answered; its own answer arrives whole, no reset', async () => {
    const conn = await RawConnection.open(server.port, { halfOpen: true });
    conn.write(`GET /${Bucket}/none HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    conn.write(`GET /${Bucket}/other HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    // The client keeps writing after the answer (RFC 9112 §9.6's case): the server must not reset on it.
    for (const started = Date.now(); Date.now() - started < 300 && conn.error === undefined; ) {
      conn.write('junk '.repeat(2000));
      await new Promise((r) => setTimeout(r, 5));
    }
    conn.socket.end();
    expect(await conn.until(() => conn.ended, 5000)).toBe(true);
    const res = parseResponse(Buffer.from(conn.text, 'latin1')) as RawResponse;
    expectS3Error(res, 403, 'AccessDenied');
    expect(res.headers.connection).toBe('close');
    expect(conn.text.split('HTTP/1.1 ').length).toBe(2);
    expect(conn.error?.code).toBeUndefined();
    conn.destroy();
  });

  it('after all of these, the server still serves', async () => {
    const s3 = server.client();
    await s3.send(new PutObjectCommand({ Bucket, Key: 'still', Body: 'serving' }));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'still' }));
    expect(await got.Body?.transformToString()).toBe('serving');
  });
});

describe('an XML body far over its limit (100 MiB) is refused while the client is still sending', () => {
  const HUNDRED_MIB = 100 * 1024 * 1024;

  /** Signs `method path?query` announcing 100 MiB, sends it all, and reads the answer before the end. */
  async function hugeXml(method: string, path: string, query: Record<string, string>, length = HUNDRED_MIB, chunked = false): Promise<{ res: RawResponse; conn: RawConnection }> {
    const headers: Record<string, string> = chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(length) };
    const head = await signedHead(await signerOf(server.client()), server.port, { method, path, query, headers: { ...headers, 'content-type': 'application/xml' } });
    const conn = await RawConnection.open(server.port);
    conn.write(head);
    const chunk = Buffer.alloc(1024 * 1024, '<Object><Key>k</Key></Object>');
    // Bounded: the answer arrives long before 100 MiB are through; writes stop once the server has closed.
    for (let sent = 0; sent < length && !conn.ended && !conn.closed; sent += chunk.length) {
      conn.write(chunked ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]) : chunk);
      if (!conn.socket.writableNeedDrain) continue;
      await new Promise<void>((resolve) => {
        conn.socket.once('drain', resolve);
        conn.socket.once('close', resolve);
      });
    }
    return { res: await conn.response(10_000), conn };
  }

  it.each([
    ['DeleteObjects', 'POST', `/${Bucket}`, { delete: '' }],
    ['PutBucketCors', 'PUT', `/${Bucket}`, { cors: '' }],
    ['PutObjectTagging', 'PUT', `/${Bucket}/tagged`, { tagging: '' }],
  ])('%s → 400 MaxMessageLengthExceeded, read by the client, then a clean close', async (_op, method, path, query) => {
    if (path.endsWith('/tagged')) await server.client().send(new PutObjectCommand({ Bucket, Key: 'tagged', Body: 'x' }));
    const { res, conn } = await hugeXml(method, path, query);
    expectS3Error(res, 400, 'MaxMessageLengthExceeded');
    await expectClosed(res, conn);
  });

  it('CompleteMultipartUpload → 400 MaxMessageLengthExceeded', async () => {
    const { UploadId } = await server.client().send(new CreateMultipartUploadCommand({ Bucket, Key: 'mpu' }));
    const { res, conn } = await hugeXml('POST', `/${Bucket}/mpu`, { uploadId: UploadId ?? '' });
    expectS3Error(res, 400, 'MaxMessageLengthExceeded');
    await expectClosed(res, conn);
  });

  it('a chunked body (no Content-Length) is refused at the limit, in the same way', async () => {
    const { res, conn } = await hugeXml('POST', `/${Bucket}`, { delete: '' }, 8 * 1024 * 1024, true);
    expectS3Error(res, 400, 'MaxMessageLengthExceeded');
    await expectClosed(res, conn);
  });

  it('any answer given before the body arrived closes the same way: an unsigned 100 MiB PUT → 403 AccessDenied', async () => {
    const conn = await RawConnection.open(server.port);
    conn.write(`PUT /${Bucket}/anonymous HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${HUNDRED_MIB}\r\n\r\n`);
    const chunk = Buffer.alloc(1024 * 1024, 7);
    for (let sent = 0; sent < HUNDRED_MIB && !conn.ended; sent += chunk.length) {
      conn.write(chunk);
      if (conn.socket.writableNeedDrain) await new Promise<void>((resolve) => (conn.socket.once('drain', resolve), conn.socket.once('close', resolve)));
    }
    const res = await conn.response(10_000);
    expectS3Error(res, 403, 'AccessDenied');
    await expectClosed(res, conn);
    await expect(server.storage.head(`${Bucket}/anonymous`)).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('the server still serves afterwards', async () => {
    const s3 = server.client();
    await s3.send(new PutObjectCommand({ Bucket, Key: 'after-huge', Body: 'ok' }));
    expect(await (await s3.send(new GetObjectCommand({ Bucket, Key: 'after-huge' }))).Body?.transformToString()).toBe('ok');
  });
});
