/**
 * Raw HTTP/1.1 exchanges for the negative interop tests: requests whose path is sent byte for byte (no URL
 * normalization of `..` as `fetch` would do), and a request cut off mid-body on a raw socket.
 */
import http from 'node:http';
import net from 'node:net';

/** What the server answered. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as UTF-8 text (error documents, listings). */
  body: string;
  /** The body's bytes. */
  bytes: Buffer;
}

/** Sends one request to 127.0.0.1:`port` with `path` verbatim; bounded by `timeoutMs`. */
export function send(port: number, method: string, path: string, headers: Record<string, string>, body?: Buffer | string, timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false, timeout: timeoutMs }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        const bytes = Buffer.concat(parts);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString('utf8'), bytes });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The `<Code>` of an S3 error document, or undefined. */
export const errorCode = (body: string) => /<Code>([^<]*)<\/Code>/.exec(body)?.[1];

/**
 * Writes the request head and `partial` body bytes on a raw socket, then closes the connection before the
 * declared Content-Length is reached (a client that died mid-upload). Resolves once the socket is closed, with
 * whatever the server wrote back (normally nothing).
 */
export function sendTruncated(port: number, head: string, partial: Buffer, closeAfterMs = 150): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(head);
      socket.write(partial);
      setTimeout(() => socket.destroy(), closeAfterMs);
    });
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(answer));
  });
}

/** Builds an HTTP/1.1 request head from a method, verbatim path and headers. */
export function requestHead(method: string, path: string, headers: Record<string, string>): string {
  return `${method} ${path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}
