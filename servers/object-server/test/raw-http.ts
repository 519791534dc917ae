/**
 * One raw HTTP/1.1 exchange over node:net, for tests that must see the bytes on the wire (header bytes outside
 * ASCII, status lines, bodies the SDK would decode first).
 */
import net from 'node:net';

/** A raw HTTP/1.1 exchange: the status, and each header's value as the bytes on the wire. */
export interface RawAnswer {
  status: number;
  headers: Map<string, Buffer>;
  body: Buffer;
}

/** Sends `GET`/`HEAD` of `path` on a fresh socket and reads the whole answer (the server closes the connection). */
export function rawRequest(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(5000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      const lines = all.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(lines[0]?.split(' ')[1]);
      const map = new Map<string, Buffer>();
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        map.set(line.slice(0, colon).toLowerCase(), Buffer.from(line.slice(colon + 1).trim(), 'latin1'));
      }
      resolve({ status, headers: map, body: all.subarray(end + 4) });
    });
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n${extra}\r\n`);
  });
}
