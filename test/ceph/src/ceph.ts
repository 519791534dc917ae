/**
 * The cluster the global setup started, as the Ceph test files see it, and the one place that decides what its
 * absence means, through the shared tool check (`#system-tools`): locally, missing Ceph tools skip the suites
 * (recorded with the reason, which `pnpm test` lists, and named in the skipped test's title); in CI `.ci/run`
 * installs them, so a missing tool fails instead, as does a cluster that did not start.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { inject, it } from 'vitest';
import { skipWithout } from '#system-tools';
import type { CephUser } from '../../../scripts/ceph/cluster.mjs';

/** What the global setup hands to the test files. */
export type CephProvided =
  | { state: 'up'; endpoint: string; user: CephUser; startupMs: number; conf: string }
  | { state: 'missing' | 'failed'; reason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    ceph: CephProvided;
  }
}

/** A running gateway: its endpoint and an S3 user. */
export type CephGateway = Extract<CephProvided, { state: 'up' }>;

/** The region every client signs for; RGW's default zone group answers to it. */
export const CEPH_REGION = 'us-east-1';

/**
 * The running gateway, or `undefined` after declaring the one test that says why there is none: skipped with
 * the reason locally when Ceph is not installed, failing in CI or when the cluster did not start. Call it at the
 * top of a test file and declare the file's suites only when it returns a gateway.
 */
export function cephGateway(): CephGateway | undefined {
  const ceph = inject('ceph');
  if (ceph.state === 'up') return ceph;
  if (ceph.state === 'missing' && skipWithout('ceph')) {
    it.skip(`Ceph suites skipped: ${ceph.reason}`, () => {});
  } else {
    it(`Ceph cluster is up${ceph.state === 'missing' ? ' (CI installs the tools: .ci/run)' : ''}`, () => {
      throw new Error(ceph.reason);
    });
  }
  return undefined;
}

/** Static credentials of the gateway's user, as the SDK takes them. */
export const credentialsOf = (gateway: CephGateway) => ({ accessKeyId: gateway.user.accessKey, secretAccessKey: gateway.user.secretKey });

/** A plain SDK client for the gateway (path-style; checksums only when asked, as the adapter's client). */
export function rawClient(gateway: CephGateway): S3Client {
  return new S3Client({
    endpoint: gateway.endpoint,
    region: CEPH_REGION,
    credentials: credentialsOf(gateway),
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A bucket name unique to this process and call (RGW, like S3, wants 3–63 lower-case characters). */
export function uniqueBucket(label: string): string {
  return `${label}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}
