/**
 * The interop harness: the object server over the file adapter on 127.0.0.1:0 in a temp directory, and a
 * runner for real client commands with a clean, isolated environment (no user config, no metadata service).
 * Each test fails when the client exits non-zero or the bytes differ.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { type Dirent, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '@strata/object-server';
import { createFileStorage } from '@strata/file';
import { withReadCache } from '@strata/storage';
import type { Storage } from '@strata/storage';

/** The credentials the interop server accepts. */
export const CREDENTIALS = { accessKeyId: 'interop-access', secretAccessKey: 'interop-secret-key/with+odd=chars' };
export const REGION = 'us-east-1';

/**
 * An S3 endpoint the interop cases run their clients against, and a scratch directory for client files: the
 * file-backend server here ({@link startServer}), or any other server the cases are pointed at through a
 * {@link StartTarget} (the gateway over Ceph RGW in test/ceph).
 */
export interface InteropTarget {
  /** `http://127.0.0.1:<port>`, or https through a TLS terminator with `{ tls: true }`. */
  endpoint: string;
  /** The port of `endpoint`. */
  port: number;
  /** The credentials the endpoint accepts (they are in `env` too). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The temp directory holding `work` and `home`, removed by `close`. */
  root: string;
  /** The storage behind the server, keyed as it is (buckets are the first key segment): for seeding and checking. */
  storage: Storage;
  /** Scratch directory for files the clients read and write. */
  work: string;
  /** Every request the server received (method, URL, payload mode), to prove which framing a client used. */
  requests: SeenRequest[];
  /** The CA certificate (PEM path) clients must trust, with `{ tls: true }`. */
  ca?: string;
  /** Environment for client processes: credentials, region, isolated config files. */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** Starts a fresh target for one group of cases; every interop case file takes one. */
export type StartTarget = (options?: StartOptions) => Promise<InteropTarget>;

/** The file-backend server of this package: a target whose data directory the cases may inspect. */
export interface InteropServer extends InteropTarget {
  /** The file adapter's root directory. */
  data: string;
}

/** A request as the server saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  /** `x-amz-content-sha256`: a hex hash, UNSIGNED-PAYLOAD or a STREAMING-… mode. */
  payload?: string;
  /** `x-amz-trailer`, when the body is aws-chunked with trailers. */
  trailer?: string;
}

/** Options of {@link startServer}. */
export interface StartOptions {
  /**
   * Put a TLS terminator (self-signed certificate for 127.0.0.1, trusted through AWS_CA_BUNDLE) in front of
   * the server, so that `endpoint` is https. botocore >= 1.36 sends its default CRC32 as an aws-chunked
   * TRAILER (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`) only over https; over http it signs the payload and sends
   * the checksum as a header. Both paths must work.
   * @default false
   */
  tls?: boolean;
}

/** A TCP-level TLS terminator on 127.0.0.1:0 forwarding to `port` (the server sees plain HTTP/1.1). */
async function startTlsProxy(dir: string, port: number): Promise<{ port: number; ca: string; close(): Promise<void> }> {
  mkdirSync(dir, { recursive: true });
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore', timeout: 30_000 });
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (clear) => {
    const upstream = net.connect(port, '127.0.0.1');
    for (const sock of [clear, upstream]) {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      sock.on('error', () => {
        clear.destroy();
        upstream.destroy();
      });
    }
    clear.pipe(upstream).pipe(clear);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    ca: cert,
    async close() {
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The client side of a target: its endpoint (through TLS when asked), scratch directories and environment. */
export type ClientSide = Pick<InteropTarget, 'endpoint' | 'port' | 'ca' | 'work' | 'env'> & { close(): Promise<void> };

/**
 * Prepares clients for a server listening on `127.0.0.1:<httpPort>` that accepts `credentials`: makes `work`
 * and an isolated `home` under `root`, and puts the TLS terminator in front with `{ tls: true }`.
 */
export async function clientSide(root: string, httpPort: number, credentials: InteropTarget['credentials'], options: StartOptions = {}): Promise<ClientSide> {
  const proxy = options.tls ? await startTlsProxy(join(root, 'tls'), httpPort) : undefined;
  const port = proxy?.port ?? httpPort;
  const work = join(root, 'work');
  const home = join(root, 'home');
  for (const d of [work, home]) mkdirSync(d, { recursive: true });
  writeFileSync(join(home, 'aws-config'), `[default]\nregion = ${REGION}\n`);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_DEFAULT_REGION: REGION,
    AWS_REGION: REGION,
    AWS_CONFIG_FILE: join(home, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    ...(proxy ? { AWS_CA_BUNDLE: proxy.ca } : {}),
  };
  return {
    endpoint: `${proxy ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    ...(proxy ? { ca: proxy.ca } : {}),
    work,
    env,
    close: async () => proxy?.close(),
  };
}

/** Starts the server over a fresh file store. */
export async function startServer(options: StartOptions = {}): Promise<InteropServer> {
  const root = mkdtempSync(join(tmpdir(), 'strata-interop-'));
  const data = join(root, 'data');
  // As `strata serve` runs by default: the file adapter with the read cache in front.
  const storage = withReadCache(createFileStorage({ root: data }));
  const app = await buildApp({ storage, credentials: [CREDENTIALS], region: REGION, logger: false });
  const requests: SeenRequest[] = [];
  app.addHook('onRequest', async (req) => {
    const h = (n: string) => (typeof req.headers[n] === 'string' ? (req.headers[n] as string) : undefined);
    requests.push({ method: req.method, url: req.url, payload: h('x-amz-content-sha256'), trailer: h('x-amz-trailer') });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const clients = await clientSide(root, typeof address === 'object' && address ? address.port : 0, CREDENTIALS, options);
  return {
    ...clients,
    credentials: CREDENTIALS,
    root,
    data,
    storage,
    requests,
    async close() {
      await clients.close();
      await app.close();
      await storage.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A plain GET of `url` (http, or https trusting `ca`), bounded; for presigned URLs. */
export function httpGet(url: string, ca?: string, timeoutMs = 10_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.get(u, { ca: ca ? readFileSync(ca) : undefined, agent: false, timeout: timeoutMs }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** What a client command printed. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a client command (bounded by `timeoutMs`); throws with its output when it exits non-zero. */
export async function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, opts: { timeoutMs?: number; allowFail?: boolean; cwd?: string } = {}): Promise<RunResult> {
  const child = spawn(cmd, args, { env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  if (code !== 0 && !opts.allowFail) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${code}\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-4000)}`);
  }
  return { code, stdout, stderr };
}

/** Deterministic bytes of `size` (SHA-256 counter mode). */
export function bytes(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let off = 0, i = 0; off < size; off += 32, i++) createHash('sha256').update(`${seed}:${i}`).digest().copy(out, off, 0, Math.min(32, size - off));
  return out;
}

/** Every file below `dir` (relative paths, sorted); [] when `dir` does not exist. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** Hex MD5 of a buffer. */
export const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
