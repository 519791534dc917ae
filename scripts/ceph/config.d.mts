/** Types of `config.mjs`, for the TypeScript code that imports it (tests comparing other Ceph configurations to it). */

/** The ports a cluster's daemons bind to, all on 127.0.0.1. */
export interface CephPorts {
  mon: number;
  rgw: number;
  bindMin: number;
  bindMax: number;
}

/** Offsets and the search range of {@link pickPorts}. */
export const PORT_LAYOUT: Readonly<{ span: number; mon: number; rgw: number; bindMin: number; bindMax: number; low: number; high: number }>;
/** Finds consecutive free ports at a random place in the range of {@link PORT_LAYOUT}. */
export function pickPorts(): Promise<CephPorts>;
/** The text of `ceph.conf` for a cluster living in `dir` (absolute). */
export function renderCephConf(options: { dir: string; ports: CephPorts; fsid?: string; memstoreBytes?: number }): string;
/** The directories the configuration names, created before the first daemon starts. */
export const CLUSTER_SUBDIRS: readonly string[];
