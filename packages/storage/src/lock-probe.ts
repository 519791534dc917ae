/**
 * The lock probe: a Unix-domain socket a lock holder listens on beside its lock file, so that a process that
 * cannot see the holder's pid (another pid namespace: another container on the same volume, or the previous
 * incarnation of this container) can still ask the kernel whether the holder lives.
 *
 * The kernel closes a process's listening socket when the process dies, however it dies (SIGKILL, OOM kill),
 * and the socket file stays behind: connect(2) then fails with `ECONNREFUSED`. While the holder lives, connect
 * succeeds — also while its event loop is blocked or the process is stopped (`docker pause`), because the kernel
 * completes the connection into the listen backlog without the process (unix(7)). Socket files work across bind
 * mounts on one kernel, which is what a shared container volume is; the probe says nothing across machines (a
 * network filesystem), where the boot id already tells a lock from another machine apart.
 *
 * Node has no flock(2)/fcntl(2) locks without a native addon; this socket is the kernel-held, dies-with-the-owner
 * resource it does have.
 */
import { createConnection, createServer } from 'node:net';
import { rm } from 'node:fs/promises';

/** A listening probe socket; `close` stops listening and removes the socket file. */
export interface LockProbe {
  /** The socket file. */
  readonly path: string;
  close(): Promise<void>;
}

/** What connecting to a holder's probe socket found. */
export type ProbeAnswer =
  /** Something accepted the connection: the holder lives. */
  | 'listening'
  /** The socket file is gone or nobody listens on it: the holder is dead. */
  | 'nobody'
  /** Connecting failed otherwise (permissions, an unsupported filesystem, a timeout): nothing is proven. */
  | 'unknown';

/**
 * sun_path holds 108 bytes on Linux and 104 on macOS, NUL included; Node (20) silently truncates a longer path
 * on listen, which would put the socket somewhere else than the record names. Longer paths get no probe.
 */
const MAX_SOCKET_PATH_BYTES = 103;

/** How long a connect may take before the answer is `unknown`; a local connect answers in microseconds. */
const PROBE_TIMEOUT_MS = 2000;

const errno = (e: unknown) => (e as { code?: unknown } | undefined)?.code;

/**
 * Listens on the socket file `path` (which must not exist) for the life of this process or until `close`.
 * Resolves undefined when the path is too long or the filesystem or OS holds no sockets (Windows, some FUSE
 * and SMB mounts): the lock then works without a probe. The listener never keeps the process alive.
 */
export async function openLockProbe(path: string): Promise<LockProbe | undefined> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES || process.platform === 'win32') return undefined;
  // Every connection is closed at once: connecting is the whole question.
  const server = createServer((socket) => socket.destroy());
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // Connectable by every user: the holder and the prober may run as different users on one volume.
      server.listen({ path, readableAll: true, writableAll: true }, () => resolve());
    });
  } catch {
    server.close();
    return undefined;
  }
  server.unref();
  let closed: Promise<void> | undefined;
  return {
    path,
    close: () =>
      (closed ??= new Promise<void>((resolve) => server.close(() => resolve())).then(() =>
        // libuv removes the file on close; make sure, in case it did not.
        rm(path, { force: true }),
      )),
  };
}

/** Connects to the probe socket at `path` to learn whether its holder lives. Bounded by a 2 s timeout. */
export function askLockProbe(path: string): Promise<ProbeAnswer> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) return Promise.resolve('unknown');
  return new Promise<ProbeAnswer>((resolve) => {
    const socket = createConnection({ path });
    const done = (answer: ProbeAnswer) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done('unknown'), PROBE_TIMEOUT_MS);
    socket.once('connect', () => done('listening'));
    socket.once('error', (e) => {
      const code = errno(e);
      done(code === 'ECONNREFUSED' || code === 'ENOENT' ? 'nobody' : code === 'EAGAIN' ? 'listening' : 'unknown');
    });
  });
}
