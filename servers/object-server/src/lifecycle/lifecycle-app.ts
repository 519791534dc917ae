/**
 * The lifecycle worker on the app: `app.lifecycle.runPass()` runs one pass (tests, with the app's object
 * clock), and with an interval the worker runs by itself from `onReady` until the app closes.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerState } from '../context.ts';
import { createLifecycleWorker } from './lifecycle-worker.ts';
import type { LifecycleWorker } from './lifecycle-worker.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The background application of buckets' lifecycle rules. */
    lifecycle: LifecycleWorker;
  }
}

/** Options of the lifecycle worker on the app. */
export interface AppLifecycleOptions {
  /** Run a pass every this many ms (`--lifecycle-interval-ms`); without it, passes run only when called. */
  intervalMs?: number;
  /** Keys one pass visits at most. @default 1000 */
  maxKeysPerPass?: number;
}

/** Decorates `app` with the lifecycle worker and runs it on an interval when asked. */
export function registerLifecycle(app: FastifyInstance, state: ServerState, options: AppLifecycleOptions = {}): void {
  const worker = createLifecycleWorker(state, options.maxKeysPerPass !== undefined ? { maxKeysPerPass: options.maxKeysPerPass } : {});
  app.decorate('lifecycle', worker);
  if (options.intervalMs !== undefined) {
    const intervalMs = options.intervalMs;
    app.addHook('onReady', async () => worker.start(intervalMs));
  }
  app.addHook('onClose', () => worker.stop());
}
