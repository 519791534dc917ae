/**
 * `buildApp`: the S3 API as a fastify instance over any {@link Storage}. It depends on the contract only
 * (never on an adapter); `main.ts` picks the adapter and listens. Compare fastify's "Testing" guide (app vs
 * server) and versitygw's `controllers/base.go`.
 */
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Storage } from '@strata/storage';
import { createAuthenticator } from './auth/index.ts';
import type { Credentials } from './auth/index.ts';
import { bodyPending } from './body-idle.ts';
import { createBucketRegistry } from './bucket-registry.ts';
import type { ServerState } from './context.ts';
import { addCorsHeadersToError } from './cors-errors.ts';
import { createCorsStore } from './cors-store.ts';
import { createDispatcher } from './dispatch.ts';
import { abandonBody } from './graceful-close.ts';
import { createRequestGate, httpServerOptions, installHttpLimits, resolveHttpLimits } from './http-limits.ts';
import type { HttpLimits } from './http-limits.ts';
import { createMetrics } from './metrics.ts';
import { registerOpsRoutes } from './ops-routes.ts';
import { createPartLayouts } from './part-layout.ts';
import { sendError } from './reply.ts';
import { S3Error } from './s3-errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The S3 operation this request was routed to (for metrics and logs). */
    s3Op: string;
  }
}

/** Options of {@link buildApp}. */
export interface AppOptions {
  /** The backing storage; buckets are its first-level namespaces. */
  storage: Storage;
  /** The access keys the server accepts (SigV4). */
  credentials: Credentials[];
  /** The region clients sign for and GetBucketLocation reports. @default 'us-east-1' */
  region?: string;
  /** Domains under which `bucket.<domain>` is a virtual-hosted-style bucket. @default ['localhost'] */
  virtualHostDomains?: string[];
  /** fastify's logger option (pino). @default false */
  logger?: FastifyServerOptions['logger'];
  /** Accept unsigned requests as anonymous (tests, public read setups). @default false */
  allowAnonymous?: boolean;
  /** Allowed clock skew for signed requests, in ms. @default 15 minutes (S3's) */
  clockSkewMs?: number;
  /** The clock, for tests of expiry and skew. @default Date.now */
  now?: () => number;
  /** Timeouts and caps on connections and requests (http-limits.ts). @default DEFAULT_HTTP_LIMITS */
  httpLimits?: Partial<HttpLimits>;
}

/** The random half of request ids, drawn once per process so ids stay unique across restarts. */
const ID_PREFIX = randomBytes(4).toString('hex').toUpperCase();
let idCounter = 0;

/**
 * A request id in S3's style: 16 upper-case hex characters, a per-process random prefix and a counter (ids
 * need to be unique, not secret; a `randomBytes` call per request showed in the GET profile).
 */
function requestId(): string {
  idCounter = (idCounter + 1) >>> 0;
  return ID_PREFIX + idCounter.toString(16).toUpperCase().padStart(8, '0');
}

/**
 * Answers a failed request through the one error table. An answer given before the request's body arrived
 * whole closes the connection (the rest of the body would otherwise have to be read first), gracefully, so the
 * client reads the answer instead of a reset (graceful-close.ts).
 */
function answerError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (bodyPending(request.raw)) {
    reply.header('connection', 'close');
    abandonBody(request.raw);
  }
  return sendError(error, request, reply);
}

/** Builds the S3 API app (not listening). */
export function buildApp(options: AppOptions): FastifyInstance {
  const region = options.region ?? 'us-east-1';
  const limits = resolveHttpLimits(options.httpLimits);
  const app = Fastify({
    ...httpServerOptions(limits, requestId),
    logger: options.logger ?? false,
    genReqId: requestId,
    // Keys may contain ';' and '//': the dispatcher parses the raw URL itself.
    // The dispatcher also parses the query (addressing.ts): fastify's own parse of it is never read.
    routerOptions: { ignoreDuplicateSlashes: false, ignoreTrailingSlash: false, maxParamLength: 4096, querystringParser: () => ({}) },
    exposeHeadRoutes: false,
    frameworkErrors: (error, request, reply) => void answerError(error, request, reply),
  });
  installHttpLimits(app.server, limits, requestId);
  const gate = createRequestGate(limits);
  const state: ServerState = {
    storage: options.storage,
    buckets: createBucketRegistry(options.storage, { region }),
    cors: createCorsStore(options.storage),
    layouts: createPartLayouts(options.storage),
    region,
    owner: { id: 'strata', displayName: 'strata' },
  };
  const authenticator = createAuthenticator({
    credentials: options.credentials,
    region,
    ...(options.clockSkewMs !== undefined ? { clockSkewMs: options.clockSkewMs } : {}),
    ...(options.now ? { now: options.now } : {}),
    allowAnonymous: options.allowAnonymous ?? false,
  });
  const metrics = createMetrics();

  // Bodies are never parsed by fastify: object bytes stream from request.raw, XML bodies are read with limits.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  app.decorateRequest('s3Op', 'Unknown');
  // Callback-style hooks: an async hook costs a promise and a microtask hop on every request (GET profile).
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-amz-request-id', request.id);
    reply.header('x-amz-id-2', Buffer.from(request.id).toString('base64'));
    done(gate.admit(request.raw, reply.raw, request.id));
  });
  app.addHook('onResponse', (request, reply, done) => {
    const bytesIn = Number(request.headers['content-length'] ?? 0) || 0;
    const bytesOut = Number(reply.getHeader('content-length') ?? 0) || 0;
    metrics.observe(request.s3Op, reply.statusCode, reply.elapsedTime / 1000, bytesIn, bytesOut);
    done();
  });
  const virtualHostDomains = options.virtualHostDomains ?? ['localhost'];
  app.setErrorHandler(async (error, request, reply) => {
    await addCorsHeadersToError(state, request, reply, virtualHostDomains);
    return answerError(error, request, reply);
  });

  const dispatch = createDispatcher({ state, authenticator, virtualHostDomains });
  registerOpsRoutes(app, { state, metrics, dispatch, virtualHostDomains });
  app.route({ method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'PATCH'], url: '/*', handler: dispatch });
  // Other methods Node parses (SEARCH, PROPFIND, TRACE…) reach no route: S3's answer, not fastify's JSON 404.
  app.setNotFoundHandler((request, reply) => answerError(new S3Error('MethodNotAllowed', undefined, { extra: { Method: request.method } }), request, reply));
  return app;
}
