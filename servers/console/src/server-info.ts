/**
 * The server's self-description the console shows (`GET <prefix>/api/server`): what the host application
 * passes as `serverInfo`, plus a helper that measures the filesystem holding a data directory.
 *
 * The endpoint is unauthenticated, like the server's `/metrics`: it must hold nothing secret — no paths, no
 * keys, no configuration beyond what a client already learns from talking S3 to the server.
 */
import { statfs } from 'node:fs/promises';

/** How full a filesystem is, in bytes. */
export interface DiskUsage {
  totalBytes: number;
  freeBytes: number;
  usedBytes: number;
}

/** What the console's server view shows; every field is optional. */
export interface ConsoleServerInfo {
  /** The server's version. */
  version?: string;
  /** The storage backend's kind (`file`, `block`, `memory`, `s3`). */
  backend?: string;
  /** The region clients sign for (the sign-in form's default). */
  region?: string;
  /** The smallest part but the last of a multipart upload (the browser's part size). */
  minPartSize?: number;
  /** Whether acknowledged writes survive a crash. */
  durable?: boolean;
  /** The filesystem holding the data directory, for backends that have one. */
  dataDirectory?: DiskUsage;
  /** Seconds since the server started. */
  uptimeSeconds?: number;
}

/**
 * How full the filesystem holding `path` is (statfs), as `df` counts: free is what an unprivileged user may
 * still write (`bavail`: root's reserved blocks are not free to the server), used is every block not free
 * (`blocks − bfree`).
 * Undefined when the path cannot be measured.
 */
export async function diskUsage(path: string): Promise<DiskUsage | undefined> {
  try {
    const s = await statfs(path);
    const totalBytes = s.blocks * s.bsize;
    const freeBytes = s.bavail * s.bsize;
    return { totalBytes, freeBytes, usedBytes: Math.max(0, totalBytes - s.bfree * s.bsize) };
  } catch {
    return undefined;
  }
}
