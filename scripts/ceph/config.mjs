/**
 * The configuration of a throwaway single-node Ceph cluster: one monitor, one manager, one OSD on memstore (RAM,
 * no disk) and one RADOS Gateway, all on 127.0.0.1 inside one temporary directory. Ports are chosen at run time.
 *
 * Every setting below is here for a reason measured on Debian's Ceph 16.2 (Pacific):
 * - `auth … = none`: no cephx keys to create and distribute; the gateway still checks S3 signatures itself.
 * - `ms mon client mode = crc` (gateway section): without it radosgw loops on
 *   `get_initial_auth_request returned -13` and never listens.
 * - `paxos propose interval = 0.05`: with the default of 1 s the gateway needs ~11 s to start and its first
 *   requests take 3–4 s (every pool and user change waits for a monitor proposal).
 * - `tcp_nodelay=1` on the beast frontend: without it every answer waits ~40 ms (Nagle's algorithm on the
 *   gateway's socket holds the body behind the headers until the client's delayed ACK): 45 ms per request
 *   instead of 1.3 ms, which made the suites six times slower.
 * - `mon cluster log file`: otherwise the monitor writes under /var/log/ceph.
 * - `public addr` / `cluster addr` and the `ms bind port` range: otherwise daemons listen on 0.0.0.0:6800–7300,
 *   where a second cluster (or anything else) would collide.
 * - `ms bind msgr1 = false`: only the v2 protocol, so each daemon needs half as many ports.
 * - One replica, `chooseleaf type = 0`, 8 placement groups per pool, no autoscaler: one OSD holds everything.
 * - The `mon data avail` and `mon warn on …` lines silence health warnings that mean nothing on a scratch disk.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Ports the daemons bind to, all on 127.0.0.1. */
export const PORT_LAYOUT = Object.freeze({
  /** Consecutive ports per cluster: the monitor, the gateway, and the messenger range of mgr, osd and radosgw. */
  span: 24,
  /** Offsets within the span. */
  mon: 0,
  rgw: 1,
  bindMin: 2,
  bindMax: 23,
  /** Where spans are looked for: below Linux's ephemeral range (32768–60999), so outgoing connections never take them. */
  low: 20_000,
  high: 32_000,
});

/** Resolves whether `port` can be bound on 127.0.0.1 right now. */
function isFree(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * Finds `PORT_LAYOUT.span` consecutive free ports at a random place in the range (bounded: 50 tries). A port
 * can still be taken between this check and the daemon's bind; the caller then fails with the daemon's log.
 * @returns {Promise<{ mon: number, rgw: number, bindMin: number, bindMax: number }>}
 */
export async function pickPorts() {
  const { span, low, high } = PORT_LAYOUT;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = low + Math.floor(Math.random() * ((high - low - span) / span)) * span;
    let free = true;
    for (let p = base; p < base + span && free; p++) free = await isFree(p);
    if (free) {
      return { mon: base + PORT_LAYOUT.mon, rgw: base + PORT_LAYOUT.rgw, bindMin: base + PORT_LAYOUT.bindMin, bindMax: base + PORT_LAYOUT.bindMax };
    }
  }
  throw new Error(`no ${span} consecutive free ports found between ${low} and ${high}`);
}

/**
 * The text of `ceph.conf` for a cluster living in `dir` (absolute), with the daemons' data, run and log
 * directories under it.
 * @param {{ dir: string, ports: { mon: number, rgw: number, bindMin: number, bindMax: number }, fsid?: string, memstoreBytes?: number }} options
 */
export function renderCephConf({ dir, ports, fsid = randomUUID(), memstoreBytes = 4 * 1024 * 1024 * 1024 }) {
  const lines = {
    global: {
      fsid,
      'mon host': `v2:127.0.0.1:${ports.mon}`,
      'auth cluster required': 'none',
      'auth service required': 'none',
      'auth client required': 'none',
      'osd pool default size': 1,
      'osd pool default min size': 1,
      'osd crush chooseleaf type': 0,
      'osd pool default pg num': 8,
      'osd pool default pgp num': 8,
      'osd pool default pg autoscale mode': 'off',
      'run dir': join(dir, 'run'),
      'log file': join(dir, 'log', '$name.log'),
      keyring: join(dir, 'keyring'),
      'ms bind port min': ports.bindMin,
      'ms bind port max': ports.bindMax,
      'ms bind msgr1': 'false',
      'public addr': '127.0.0.1',
      'cluster addr': '127.0.0.1',
      'mon allow pool delete': 'true',
      'mon data avail crit': 0,
      'mon data avail warn': 1,
      'mon warn on pool no redundancy': 'false',
      'mon warn on insecure global id reclaim allowed': 'false',
      'paxos propose interval': 0.05,
    },
    'mon.a': {
      'mon data': join(dir, 'mon'),
      'mon cluster log file': join(dir, 'log', 'mon-cluster.log'),
      'public addr': `v2:127.0.0.1:${ports.mon}`,
    },
    'mgr.x': { 'mgr data': join(dir, 'mgr') },
    'osd.0': {
      'osd data': join(dir, 'osd'),
      'osd objectstore': 'memstore',
      'memstore device bytes': memstoreBytes,
    },
    'client.rgw.r': {
      'rgw frontends': `beast endpoint=127.0.0.1:${ports.rgw} tcp_nodelay=1`,
      'rgw data': join(dir, 'rgw'),
      'rgw dns name': '127.0.0.1',
      'ms mon client mode': 'crc',
    },
  };
  return Object.entries(lines)
    .map(([section, entries]) => `[${section}]\n${Object.entries(entries).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`)
    .join('');
}

/** The directories the configuration names, created before the first daemon starts. */
export const CLUSTER_SUBDIRS = Object.freeze(['run', 'log', 'mon', 'mgr', 'osd', 'rgw']);
