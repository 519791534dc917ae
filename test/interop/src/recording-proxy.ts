/**
 * A recording HTTP proxy on 127.0.0.1:0: forwards every request unchanged (method, path, the streamed body and
 * every header as sent, the Host a client signed included) to a server it does not run, such as a
 * `strata serve` process, and records what it saw, so the interop cases can prove which framing a client used
 * against a server whose hooks they cannot reach. Even the hop-by-hop headers (RFC 9110 section 7.6.1) pass
 * unchanged: a client may sign them — s3cmd's `modify` copies a HEAD answer's `Keep-Alive` into the
 * CopyObject it signs — and a proxy that dropped them would break the signature, not the server.
 */
import http from 'node:http';
import type { SeenRequest } from './harness.ts';

/** A running recording proxy. */
export interface RecordingProxy {
  /** The port clients connect to. */
  port: number;
  /** Every request forwarded so far, in arrival order. */
  requests: SeenRequest[];
  close(): Promise<void>;
}

const single = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);

/** Starts a proxy that forwards to `http://127.0.0.1:<targetPort>`. */
export async function startRecordingProxy(targetPort: number): Promise<RecordingProxy> {
  const requests: SeenRequest[] = [];
  // No keep-alive upstream: each client request gets its own connection, so a client that aborts midway
  // cannot leave a half-written body on a connection another request reuses.
  const agent = new http.Agent({ keepAlive: false });
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', payload: single(req.headers['x-amz-content-sha256']), trailer: single(req.headers['x-amz-trailer']) });
    const upstream = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.rawHeaders, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    });
    upstream.on('error', () => res.destroy());
    req.on('error', () => upstream.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
