/** Types of `cluster.mjs`, for the TypeScript code that imports it (the test setup of `test/ceph`). */

/** An S3 user of the gateway. */
export interface CephUser {
  uid: string;
  accessKey: string;
  secretKey: string;
}

/** Options of {@link startCephCluster}. */
export interface CephClusterOptions {
  /** The cluster's directory (created if missing). @default a fresh `strata-ceph-*` under os.tmpdir() */
  dir?: string;
  /** S3 users to create; keys are generated when not given. @default [{ uid: 'strata' }] */
  users?: Array<{ uid: string; accessKey?: string; secretKey?: string }>;
  /** Buckets to create, owned by the first user. @default [] */
  buckets?: string[];
  /** The whole start-up must finish within this, or it fails (and stops what it started). @default 60000 */
  timeoutMs?: number;
  /**
   * Daemons in their own process groups that outlive this process (the `start` command). Otherwise they are
   * killed when this process exits, and a watchdog kills them if it dies. @default false
   */
  detached?: boolean;
  /** Start the manager (about 300 MiB; without it the gateway works but `ceph -s` shows no pool stats). @default true */
  manager?: boolean;
}

/** A running cluster. */
export interface CephCluster {
  dir: string;
  /** The `ceph.conf` every daemon and tool was started with (`ceph -c <conf> -s` shows the cluster). */
  conf: string;
  /** The gateway, `http://127.0.0.1:<port>`, path-style, region `us-east-1`. */
  endpoint: string;
  ports: { mon: number; rgw: number; bindMin: number; bindMax: number };
  users: CephUser[];
  /** Milliseconds from the call to a gateway that answers with every user created. */
  startupMs: number;
  /** Milliseconds since the call at the end of each start-up step. */
  timings: Record<string, number>;
  /** The daemons' pids by Ceph name (`mon.a`, `mgr.x`, `osd.0`, `client.rgw.r`). */
  pids: Record<string, number>;
  /** The last lines of every daemon log. */
  logs(): string;
  /** Stops every daemon by pid (gateway first, monitor last) and removes `dir` unless `keepDir`. */
  stop(options?: { keepDir?: boolean }): Promise<void>;
}

/** The programs a cluster needs, each with its Debian package. */
export const CEPH_TOOLS: Readonly<Record<string, string>>;
/** The Debian install line for them. */
export const CEPH_INSTALL_HINT: string;
/** The tools of {@link CEPH_TOOLS} not found on `path`. */
export function missingCephTools(path?: string): string[];
/** Starts a cluster; see `cluster.mjs`. */
export function startCephCluster(options?: CephClusterOptions): Promise<CephCluster>;
/** Stops a cluster another process started with `cluster.mjs start`, by the pids recorded in `dir`. */
export function stopCephCluster(dir: string): Promise<void>;
/** Creates a bucket owned by `user` (one SigV2-signed PUT). */
export function createBucket(endpoint: string, user: CephUser, bucket: string): Promise<void>;
