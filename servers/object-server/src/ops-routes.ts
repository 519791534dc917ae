/**
 * Operational endpoints, unauthenticated: `GET /metrics` (Prometheus text), `/health/live` (the process
 * answers) and `/health/ready` (the backing storage answers a listing).
 *
 * These paths are also valid S3 paths (a bucket named `metrics`, key `live` in bucket `health`). A request
 * carrying a signature (Authorization header or X-Amz-Signature), or addressed to a virtual host, is an S3
 * request and goes to the S3 dispatcher; only unsigned requests get the operational answer.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerState } from './context.ts';
import type { Metrics } from './metrics.ts';
import { RESERVED_PREFIX } from './bucket-registry.ts';
import { virtualHostBucket } from './addressing.ts';

/** What the operational routes need. */
export interface OpsOptions {
  state: ServerState;
  metrics: Metrics;
  /** The S3 dispatcher; undefined when it answered before returning (dispatch.ts). */
  dispatch: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> | undefined;
  virtualHostDomains: readonly string[];
}

function isS3Request(request: FastifyRequest, domains: readonly string[]): boolean {
  const url = request.raw.url ?? '';
  return request.headers.authorization !== undefined || url.includes('?') || virtualHostBucket(request.headers.host, domains) !== undefined;
}

/** Registers /metrics, /health/live and /health/ready. */
export function registerOpsRoutes(app: FastifyInstance, opts: OpsOptions): void {
  const { state, metrics, dispatch } = opts;
  const guard =
    (op: string, answer: (reply: FastifyReply) => Promise<FastifyReply>) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
      if (isS3Request(request, opts.virtualHostDomains)) return dispatch(request, reply);
      request.s3Op = op;
      return answer(reply);
    };
  app.route({
    method: ['GET', 'HEAD'],
    url: '/metrics',
    handler: guard('Metrics', async (reply) => reply.header('content-type', 'text/plain; version=0.0.4').send(metrics.render())),
  });
  app.route({
    method: ['GET', 'HEAD'],
    url: '/health/live',
    handler: guard('HealthLive', async (reply) => reply.send({ status: 'ok' })),
  });
  app.route({
    method: ['GET', 'HEAD'],
    url: '/health/ready',
    handler: guard('HealthReady', async (reply) => {
      try {
        await state.storage.list({ prefix: RESERVED_PREFIX, limit: 1 });
        return reply.send({ status: 'ok' });
      } catch (e) {
        return reply.code(503).send({ status: 'unavailable', error: e instanceof Error ? e.message : String(e) });
      }
    }),
  });
}
