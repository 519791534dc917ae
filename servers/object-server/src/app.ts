/**
 * `buildApp`: the S3 API as a fastify instance over any {@link Storage}. It depends on the contract only
 * (never on an adapter); `main.ts` picks the adapter and listens. Compare fastify's "Testing" guide (app vs
 * server) and versitygw's `controllers/base.go`.
 */
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Storage } from '@strata/storage';
import type { Credentials } from './auth/index.ts';
import { bodyPending } from './body-idle.ts';
import { createBucketRegistry } from './bucket-registry.ts';
import { registerConsoleRoute } from './console-route.ts';
import type { AppConsoleOptions } from './console-route.ts';
import type { ServerState } from './context.ts';
import { addCorsHeadersToError } from './cors-errors.ts';
import { createCorsStore } from './cors-store.ts';
import { createEncryptionState } from './encryption/encryption-state.ts';
import { createVersioningRegistry } from './versioning/versioning-registry.ts';
import { registerLifecycle } from './lifecycle/lifecycle-app.ts';
import type { AppLifecycleOptions } from './lifecycle/lifecycle-app.ts';
import { createDispatcher } from './dispatch.ts';
import type { BootstrapConfig } from './iam/bootstrap.ts';
import { createIam } from './iam/create-iam.ts';
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
  /** The root identity's access keys (SigV4); IAM users and their keys are managed through the IAM API. */
  credentials: Credentials[];
  /** Buckets, users and policies created at start (`--bucket`, `--config`; iam/bootstrap.ts). */
  bootstrap?: BootstrapConfig;
  /** The region clients sign for and GetBucketLocation reports. @default 'us-east-1' */
  region?: string;
  /** Domains under which `bucket.<domain>` is a virtual-hosted-style bucket. @default ['localhost'] */
  virtualHostDomains?: string[];
  /** fastify's logger option (pino). @default false */
  logger?: FastifyServerOptions['logger'];
  /** Grant unsigned (anonymous) requests everything (tests); without it a bucket policy decides. @default false */
  allowAnonymous?: boolean;
  /** Allowed clock skew for signed requests, in ms. @default 15 minutes (S3's) */
  clockSkewMs?: number;
  /** The clock, for tests of expiry and skew. @default Date.now */
  now?: () => number;
  /**
   * The clock object lock retention and lifecycle rules are measured by, in ms since the epoch; tests move it
   * days ahead without touching signature checks (which read `now`). @default Date.now
   */
  objectClock?: () => number;
  /** The lifecycle worker's interval and per-pass bound (lifecycle/lifecycle-app.ts). @default no interval */
  lifecycle?: AppLifecycleOptions;
  /** Timeouts and caps on connections and requests (http-limits.ts). @default DEFAULT_HTTP_LIMITS */
  httpLimits?: Partial<HttpLimits>;
  /** Serve the web console at `/console/` (console-route.ts). @default undefined (no console) */
  console?: AppConsoleOptions;
  /** The 32-byte master key SSE-S3 wraps data keys with (encryption/key-wrap.ts). @default undefined (SSE-S3 refused) */
  sseMasterKey?: Buffer;
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
    versioning: createVersioningRegistry(options.storage, { now: options.objectClock }),
    region,
    owner: { id: 'strata', displayName: 'strata' },
    encryption: createEncryptionState(options.storage, options.sseMasterKey),
  };
  // Users, keys and bucket policies (iam/): loaded before the first request, then looked up synchronously.
  const { authenticator, authorizer, load: loadIam } = createIam(state, { credentials: options.credentials, region, clockSkewMs: options.clockSkewMs, now: options.now, allowAnonymous: options.allowAnonymous, bootstrap: options.bootstrap });
  app.addHook('onReady', loadIam);
  // Versioned changes a crash interrupted are finished before the server listens.
  app.addHook('onReady', () => state.versioning.ready());
  registerLifecycle(app, state, options.lifecycle);
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

  const dispatch = createDispatcher({ state, authenticator, authorizer, virtualHostDomains });
  registerOpsRoutes(app, { state, metrics, dispatch, virtualHostDomains });
  if (options.console) registerConsoleRoute(app, { console: options.console, dispatch, virtualHostDomains });
  app.route({ method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'PATCH'], url: '/*', handler: dispatch });
  // Other methods Node parses (SEARCH, PROPFIND, TRACE…) reach no route: S3's answer, not fastify's JSON 404.
  app.setNotFoundHandler((request, reply) => answerError(new S3Error('MethodNotAllowed', undefined, { extra: { Method: request.method } }), request, reply));
  return app;
}
