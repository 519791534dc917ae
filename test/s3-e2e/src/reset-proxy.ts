/**
 * A TCP proxy (node:net) between the SDK and a server that can reset a connection part-way through a
 * response: once armed, the first connection that has carried more than `afterBytes` bytes from the server
 * to the client is reset (RST, as a dropped network path or a restarted load balancer would).
 */
import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/** A running proxy. */
export interface ResetProxy {
  endpoint: string;
  /** Resets the next connection that carries more than `afterBytes` response bytes (once). */
  arm(afterBytes: number): void;
  /** How many connections were reset. */
  readonly resets: number;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1:0 forwarding to `target` (host:port). */
export async function startResetProxy(targetPort: number): Promise<ResetProxy> {
  let armedAt: number | undefined;
  let resets = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    let down = 0;
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d: Buffer) => {
      down += d.length;
      if (armedAt !== undefined && down > armedAt) {
        armedAt = undefined;
        resets++;
        // Forward only part of this chunk, then RST the client side mid-body.
        client.write(d.subarray(0, Math.floor(d.length / 2)), () => {
          client.resetAndDestroy();
          upstream.destroy();
        });
        return;
      }
      if (!client.write(d)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    arm(afterBytes: number) {
      armedAt = afterBytes;
    },
    get resets() {
      return resets;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
