/**
 * Raw HTTP for the auth tests that attack a running server: requests sent with node:http exactly as given
 * (any Host, any extra header, header values as the bytes a client puts on the wire), and the AWS SDK's own
 * SigV4 signer (`@smithy/signature-v4` with the hash of the SDK client's configuration) for signatures with
 * chosen signed headers.
 */
import http from 'node:http';
import type { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';

/** A response read to the end. */
export interface WireResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as UTF-8 text (S3 error XML or small objects). */
  text: string;
}

/** One request to `127.0.0.1:port`; `headers.host` replaces the default Host when given. */
export function send(port: number, req: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.from(req.body);
    const headers: Record<string, string | number> = { ...req.headers };
    if (body !== undefined) headers['content-length'] = body.length;
    const r = http.request({ host: '127.0.0.1', port, method: req.method, path: req.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(body);
  });
}

/** The text of the first `<name>` element of an XML document, or undefined. */
export function xmlField(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

/** Path and query of an absolute URL exactly as written (WHATWG URL would normalize the path). */
export function pathOf(url: string): string {
  return url.replace(/^https?:\/\/[^/]+/, '');
}

/** The AWS SDK's SigV4 signer with the credentials, region and hash of `client`. */
export async function sdkSigner(client: S3Client): Promise<SignatureV4> {
  const config = client.config;
  return new SignatureV4({
    credentials: await config.credentials(),
    region: await config.region(),
    service: 's3',
    sha256: config.sha256,
    uriEscapePath: false,
  });
}

/**
 * A header value as Node must be given it for the UTF-8 bytes of `text` to go on the wire, as botocore and Go
 * clients put them there: {@link send} writes header strings as Latin-1, one byte per character (its body is a
 * Buffer, which Node writes after the headers rather than with them).
 */
export function utf8OnTheWire(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}
