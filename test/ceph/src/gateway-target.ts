/**
 * The interop cases' target on Ceph: a real `strata serve --backend s3` process over a fresh bucket of the
 * cluster's RGW, with a recording proxy in front (the cases check which framing a client used, and the process's
 * hooks are out of reach) and, when asked, the interop harness's TLS terminator in front of that. Its `storage`
 * is the S3 adapter on the same upstream bucket, keyed as the gateway keys it (`<bucket>/<key>`), so the cases
 * seed and check what the gateway stored upstream, past the gateway.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Storage } from '@strata/s3';
import { clientSide } from '../../interop/src/harness.ts';
import type { InteropTarget, StartOptions, StartTarget } from '../../interop/src/harness.ts';
import { startRecordingProxy } from '../../interop/src/recording-proxy.ts';
import { CEPH_REGION, credentialsOf, rawClient, uniqueBucket } from './ceph.ts';
import type { CephGateway } from './ceph.ts';
import { FRONT_CREDENTIALS, startGateway } from './gateway-process.ts';

/** Makes a bucket on RGW and starts a gateway on it for one group of interop cases. */
async function startGatewayTarget(ceph: CephGateway, options: StartOptions = {}): Promise<InteropTarget> {
  const upstreamBucket = uniqueBucket('interop');
  const raw = rawClient(ceph);
  try {
    await raw.send(new CreateBucketCommand({ Bucket: upstreamBucket }));
  } finally {
    raw.destroy();
  }
  const root = mkdtempSync(join(tmpdir(), 'strata-ceph-interop-'));
  const gateway = await startGateway(ceph, ['--upstream-bucket', upstreamBucket]);
  const recorder = await startRecordingProxy(Number(new URL(gateway.endpoint).port));
  const clients = await clientSide(root, recorder.port, FRONT_CREDENTIALS, options);
  const storage = createS3Storage({ endpoint: ceph.endpoint, region: CEPH_REGION, credentials: credentialsOf(ceph), bucket: upstreamBucket });
  return {
    ...clients,
    credentials: FRONT_CREDENTIALS,
    root,
    storage,
    requests: recorder.requests,
    async close() {
      await clients.close();
      await recorder.close();
      const code = await gateway.stop();
      await storage.close();
      rmSync(root, { recursive: true, force: true });
      if (code !== 0) throw new Error(`strata serve exited with ${code}:\n${gateway.output()}`);
    },
  };
}

/** The interop cases' {@link StartTarget} on the cluster's RGW. */
export const gatewayTarget = (ceph: CephGateway): StartTarget => (options) => startGatewayTarget(ceph, options);
