/**
 * The `s3` backend of `strata serve`: Strata's front (SigV4 auth, CORS, metrics, health) over any S3 endpoint —
 * Ceph RGW, MinIO, AWS — through the S3 adapter. Loaded only when that backend is chosen (`main.ts` imports it
 * dynamically), so the AWS SDK is not loaded by the other backends.
 *
 * At start it probes the upstream once (`probeS3Capabilities`: about 12 small requests under
 * `<prefix>.strata-probe-<random>/`, all deleted again) and declares what the endpoint honours — conditional
 * writes, checksums, tags, the minimum part size — so the server answers NotImplemented or falls back where the
 * upstream cannot, instead of promising what it would not keep; the probe's `dialect` lets the adapter work
 * around the endpoint's departures from AWS. An upstream that keeps no flexible checksums gets them verified in
 * flight here instead (`upstream-checksums.ts`), so clients that send them by default can write. A missing
 * bucket or refused credentials fail the start here, with the upstream named, rather than the first request.
 *
 * What stays coherent when several gateways share one upstream location is written in the package README
 * ("Gateway over S3"): objects and multipart uploads are; the read cache, the bucket registry, CORS rules and
 * part layouts, each cached per process, are not.
 */
import { createS3Client, createS3Storage, probeS3Capabilities } from '@strata/s3';
import type { S3ProbeResult } from '@strata/s3';
import type { Storage } from '@strata/storage';
import { withGatewayChecksums } from './upstream-checksums.ts';
import { describeUpstream } from './upstream-options.ts';
import type { UpstreamConfig } from './upstream-options.ts';

/** The upstream storage and what the probe found. */
export interface S3Backend {
  storage: Storage;
  probe: S3ProbeResult;
}

/** Probes the upstream and opens the S3 adapter on its bucket and prefix. */
export async function openS3Backend(upstream: UpstreamConfig): Promise<S3Backend> {
  const target = { endpoint: upstream.url, region: upstream.region, ...(upstream.credentials ? { credentials: upstream.credentials } : {}) };
  const client = createS3Client(target);
  let probe: S3ProbeResult;
  try {
    probe = await probeS3Capabilities(client, upstream.bucket, upstream.prefix);
  } catch (e) {
    throw new Error(`upstream ${describeUpstream(upstream)} is not usable: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  } finally {
    client.destroy();
  }
  const storage = createS3Storage({ ...target, bucket: upstream.bucket, prefix: upstream.prefix, capabilities: probe.capabilities, dialect: probe.dialect });
  return { storage: probe.checksums ? storage : withGatewayChecksums(storage), probe };
}
