/**
 * Starts a real `redis-server` (Debian's package) on a free loopback port with persistence off, for the BullMQ
 * tests; stops it after. Fails clearly when the binary is missing (CI installs it; never skipped there).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A running redis-server. */
export interface RedisServer {
  port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts redis-server and resolves once it accepts connections. */
export async function startRedis(): Promise<RedisServer> {
  const bin = process.env.REDIS_SERVER ?? 'redis-server';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn(bin, ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const ready = await new Promise<boolean>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => resolve(false), 10_000);
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot start ${bin} (install Debian's redis-server: apt-get install -y redis-server): ${e.message}`));
      });
      child.once('exit', () => { clearTimeout(timer); resolve(false); });
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) { clearTimeout(timer); resolve(true); }
      });
    });
    if (ready) {
      return {
        port,
        stop: () => new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
      };
    }
    child.kill('SIGKILL'); // port taken between probe and bind: try another
  }
  throw new Error('redis-server did not become ready');
}
