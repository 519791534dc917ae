/**
 * The distributed tier: the same `@strata/s3` path as the object-server tier, pointed at a Ceph RADOS Gateway
 * instead — a throwaway single-node cluster (monitor, one memstore OSD, radosgw on 127.0.0.1) that
 * `scripts/ceph/cluster.mjs` starts for the run and stops by pid when the tier closes.
 *
 * *Present only with the tools*: without `ceph-mon`, `radosgw` and the rest on PATH, creating the tier throws
 * with the missing tools and the install line, and the storage scenario lists it under "Not run here".
 *
 * *Stopping*: `close()` (after the tier's rows, or when the tier fails mid-run) stops the daemons by pid, gateway
 * first. A tier whose set-up fails after the cluster is up stops it before rethrowing. On ctrl-c or any other
 * death of the bench process, the cluster's own watchdog (a detached shell loop polling this pid once a second)
 * kills the daemons by pid and removes their directory; a `process.exit` kills them synchronously.
 *
 * *Cost*: the manager is not started (it serves `ceph -s` statistics, nothing on the data path), so the cluster
 * holds about 300 MiB plus the objects, which memstore keeps in RAM.
 */
import { createS3Storage } from '@strata/s3';
import { CEPH_INSTALL_HINT, missingCephTools, startCephCluster } from '../../../scripts/ceph/cluster.mjs';
import type { CephCluster } from '../../../scripts/ceph/cluster.mjs';
import { storageTier } from './storage-tier.ts';
import type { BenchTier } from './tier.ts';

/** The tier's name in the report. */
export const CEPH_RGW_TIER = 's3 adapter → Ceph RGW';

/** The bucket the tier works in (RGW refuses names under 3 characters). */
export const CEPH_RGW_BUCKET = 'bench';

/** The region the gateway's default zone group answers to. */
const CEPH_REGION = 'us-east-1';

/** The Ceph tier while it runs: a bench tier plus the cluster's daemons, so a caller can see them stop. */
export interface CephRgwTier extends BenchTier {
  /** The gateway, `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** The daemons' pids by Ceph name (`mon.a`, `osd.0`, `client.rgw.r`). */
  pids: Record<string, number>;
  /** The cluster's `ceph.conf` (every daemon's command line names it). */
  conf: string;
}

/** Options of {@link createCephRgwTier}. */
export interface CephRgwTierOptions {
  /** Where the Ceph tools are looked for. @default process.env.PATH */
  path?: string;
  /** The cluster's start-up must finish within this. @default 60000 */
  timeoutMs?: number;
}

/**
 * Starts a cluster with one S3 user owning {@link CEPH_RGW_BUCKET} and returns the tier over it. Throws without
 * starting anything when a Ceph tool is missing (the message names them: it is the skip reason).
 */
export async function createCephRgwTier(options: CephRgwTierOptions = {}): Promise<CephRgwTier> {
  const missing = missingCephTools(options.path ?? process.env.PATH ?? '');
  if (missing.length > 0) throw new Error(`Ceph tools missing on PATH: ${missing.join(', ')} (install: ${CEPH_INSTALL_HINT})`);
  const cluster: CephCluster = await startCephCluster({ buckets: [CEPH_RGW_BUCKET], manager: false, timeoutMs: options.timeoutMs ?? 60_000 });
  try {
    const [user] = cluster.users;
    if (user === undefined) throw new Error('the Ceph cluster has no S3 user');
    const storage = createS3Storage({
      endpoint: cluster.endpoint,
      region: CEPH_REGION,
      bucket: CEPH_RGW_BUCKET,
      credentials: { accessKeyId: user.accessKey, secretAccessKey: user.secretKey },
      forcePathStyle: true,
    });
    const tier = storageTier(CEPH_RGW_TIER, storage, () => cluster.stop());
    // Overwritten objects stay in the memstore OSD (RAM) until RGW's garbage collection, hours later: rounds of
    // 64 MiB overwrites fill its 4 GiB, and a full OSD blocks writes instead of failing them.
    const maxObject = { bytes: 2 ** 20, reason: 'objects over 1 MiB are not measured on the memstore test cluster: overwritten objects stay in RAM until RGW garbage-collects them, and a full OSD blocks writes' };
    return { ...tier, maxObject, endpoint: cluster.endpoint, pids: cluster.pids, conf: cluster.conf };
  } catch (e) {
    await cluster.stop();
    throw e;
  }
}

/**
 * What the Ceph rows measure beside the others, for the report: the network and the replication they leave out.
 * The operations follow the RGW data layout (a head object per S3 object, a bucket index object whose omap is
 * updated in two phases around each write; see Ceph's "RGW data layout" page).
 */
export const CEPH_RGW_COST_NOTE =
  `${CEPH_RGW_TIER}: the same @strata/s3 client as the object-server tier, against a single-node Ceph cluster started for the run. ` +
  'RGW in front of RADOS adds a second hop per request: the gateway turns each S3 call into RADOS operations on the OSD ' +
  '(a put writes the object\'s head object and updates the bucket index object\'s omap in two phases around it; a get reads the head object; ' +
  'a list reads the bucket index), over the messenger on loopback, and answers a put only once the OSD has acknowledged it. ' +
  'Here the pool keeps one replica on a memstore OSD (RAM), so the rows show the gateway and protocol cost, not disks or replication: ' +
  'with the usual three replicas every put and delete also waits for the primary OSD to forward the write to two others over the cluster network ' +
  'and for their commit to disk — one more network round trip and the slowest of three disk writes.';
