/**
 * What the console plugin tells the page about its server at `GET api/server` (relative to the console):
 * unauthenticated and harmless by design — the version, the backend kind, the region to sign for, the
 * minimum part size, how full the data directory's filesystem is. No paths, no keys.
 */

/** The server's self-description (the plugin's `ConsoleServerInfo`, as JSON). */
export interface ServerInfo {
  version?: string;
  backend?: string;
  region?: string;
  /** The smallest part but the last a multipart upload may have. */
  minPartSize?: number;
  /** Whether acknowledged writes survive a crash. */
  durable?: boolean;
  /** The filesystem holding the data directory, in bytes. */
  dataDirectory?: { totalBytes: number; freeBytes: number; usedBytes: number };
  /** Seconds since the server started. */
  uptimeSeconds?: number;
}

/** Fetches the server's self-description; an empty one when the server gives none. */
export async function fetchServerInfo(signal?: AbortSignal): Promise<ServerInfo> {
  const response = await fetch('api/server', { cache: 'no-store', credentials: 'omit', signal });
  if (!response.ok) throw new Error(`the server answered ${response.status} for its description`);
  return (await response.json()) as ServerInfo;
}
