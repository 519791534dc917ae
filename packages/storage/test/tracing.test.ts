/**
 * Tracing hooks: real `node:diagnostics_channel` subscribers (what OpenTelemetry instrumentations attach)
 * see start/end/asyncStart/asyncEnd — and error — for put, get, list and failures, with the operation, key,
 * adapter name and bytes; an AsyncLocalStorage bound to `start` nests move's steps inside the move; and no
 * tracing work happens while no one subscribes.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { tracingChannel } from 'node:diagnostics_channel';
import type { TracingChannelSubscribers } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TRACED_OPERATIONS, createMemoryStorage, createStorage, isStorageError, readText, storageTraceChannelName, withRetry } from '../src/index.ts';
import type { StorageError, StorageTraceContext, TracedOperation } from '../src/index.ts';
import { hookedAdapter } from './hooked-adapter.ts';

interface Event {
  event: keyof TracingChannelSubscribers<StorageTraceContext>;
  operation: string;
  key: string | undefined;
  adapter: string;
  bytes: number | undefined;
  error?: StorageError;
}

const unsubscribers: (() => void)[] = [];
afterEach(() => {
  for (const u of unsubscribers.splice(0)) u();
});

/** Subscribes to every event of the given operations, recording them in order. */
function record(operations: readonly TracedOperation[]): Event[] {
  const events: Event[] = [];
  for (const op of operations) {
    const channel = tracingChannel<unknown, StorageTraceContext>(storageTraceChannelName(op));
    const on = (event: Event['event']) => (ctx: StorageTraceContext) => {
      const e: Event = { event, operation: ctx.operation, key: ctx.key, adapter: ctx.adapter, bytes: ctx.bytes };
      if (event === 'error' && isStorageError(ctx.error)) e.error = ctx.error;
      events.push(e);
    };
    const subscribers = { start: on('start'), end: on('end'), asyncStart: on('asyncStart'), asyncEnd: on('asyncEnd'), error: on('error') };
    channel.subscribe(subscribers);
    unsubscribers.push(() => channel.unsubscribe(subscribers));
  }
  return events;
}

const names = (events: Event[]) => events.map((e) => `${e.operation}:${e.event}`);

describe('tracing channels strata:storage:<operation>', () => {
  it('put, get and list publish start, end, asyncStart, asyncEnd with operation, key, adapter and bytes', async () => {
    const events = record(['put', 'get', 'list']);
    const s = createMemoryStorage();
    await s.put('photos/cat.jpg', 'meow!');
    const got = await s.get('photos/cat.jpg', { range: { start: 1, end: 2 } });
    expect(await readText(got)).toBe('eo');
    await s.list({ prefix: 'photos/' });
    expect(names(events)).toEqual([
      'put:start', 'put:end', 'put:asyncStart', 'put:asyncEnd',
      'get:start', 'get:end', 'get:asyncStart', 'get:asyncEnd',
      'list:start', 'list:end', 'list:asyncStart', 'list:asyncEnd',
    ]);
    const last = (op: string) => events.filter((e) => e.operation === op).at(-1);
    expect(last('put')).toMatchObject({ key: 'photos/cat.jpg', adapter: 'memory', bytes: 5 });
    expect(last('get')).toMatchObject({ key: 'photos/cat.jpg', adapter: 'memory', bytes: 2 });
    expect(last('list')).toMatchObject({ key: undefined, adapter: 'memory', bytes: undefined });
    expect(events[0]?.bytes, 'bytes are unknown at start').toBeUndefined();
  });

  it('a failure publishes error with the StorageError (op and key filled in) before asyncStart', async () => {
    const events = record(['get']);
    const s = createMemoryStorage();
    await expect(s.get('missing')).rejects.toMatchObject({ code: 'NotFound' });
    expect(names(events)).toEqual(['get:start', 'get:end', 'get:error', 'get:asyncStart', 'get:asyncEnd']);
    const error = events.find((e) => e.event === 'error')?.error;
    expect([error?.code, error?.op, error?.key, error?.message]).toEqual(['NotFound', 'get', 'missing', 'get "missing": NotFound: No such key']);
  });

  it('validation failures are traced too, and carry the adapter name', async () => {
    const events = record(['put']);
    const { adapter } = hookedAdapter();
    await expect(createStorage(adapter).put('', 'x')).rejects.toMatchObject({ code: 'InvalidKey' });
    expect(names(events)).toEqual(['put:start', 'put:end', 'put:error', 'put:asyncStart', 'put:asyncEnd']);
    expect(events[0]?.adapter).toBe('memory');
  });

  it('move is one span with its head, copy, head and delete inside it (an AsyncLocalStorage bound to start)', async () => {
    // What an OpenTelemetry instrumentation does: bind its context store to start, so nested calls find
    // their parent span in it.
    const als = new AsyncLocalStorage<StorageTraceContext>();
    const move = tracingChannel<StorageTraceContext, StorageTraceContext>(storageTraceChannelName('move'));
    move.start.bindStore(als, (ctx) => ctx);
    unsubscribers.push(() => move.start.unbindStore(als));
    const parents: string[] = [];
    const steps = ['head', 'copy', 'delete'].map((op) => tracingChannel<unknown, StorageTraceContext>(storageTraceChannelName(op as TracedOperation)));
    const onStep = (ctx: StorageTraceContext) => parents.push(`${ctx.operation} in ${als.getStore()?.operation ?? 'nothing'}`);
    for (const step of steps) {
      step.start.subscribe(onStep as (message: unknown) => void);
      unsubscribers.push(() => step.start.unsubscribe(onStep as (message: unknown) => void));
    }
    const events = record(['move']);
    const s = createMemoryStorage();
    await s.put('a', 'x');
    await s.move('a', 'b');
    expect(parents).toEqual(['head in move', 'copy in move', 'head in move', 'delete in move']);
    expect(names(events)).toEqual(['move:start', 'move:end', 'move:asyncStart', 'move:asyncEnd']);
    expect(events.at(-1)).toMatchObject({ key: 'b', bytes: 1 });
    await s.head('b');
    expect(parents.at(-1), 'outside the move, no parent').toBe('head in nothing');
  });

  it('a retried call is traced once per attempt (traces are where calls reach the adapter)', async () => {
    const events = record(['put']);
    let attempts = 0;
    const { adapter } = hookedAdapter((inner) => ({
      put: (k, b, o) => (++attempts === 1 ? Promise.reject(Object.assign(new Error('reset'), { code: 'ECONNRESET' })) : inner.put(k, b, o)),
    }));
    await withRetry(createStorage(adapter), { baseDelayMs: 0 }).put('k', 'x');
    expect(names(events).filter((n) => n.endsWith(':start'))).toEqual(['put:start', 'put:start']);
    expect(names(events).filter((n) => n.endsWith(':error'))).toEqual(['put:error']);
  });

  it('does no tracing work while no one subscribes (hasSubscribers is checked first)', async () => {
    const proto = Object.getPrototypeOf(tracingChannel('strata:storage:probe')) as { tracePromise: (...a: unknown[]) => unknown };
    const spy = vi.spyOn(proto, 'tracePromise');
    try {
      const s = createMemoryStorage();
      await s.put('k', 'x');
      await readText(await s.get('k'));
      await s.list();
      expect(spy).not.toHaveBeenCalled();
      const events = record(['get']);
      await readText(await s.get('k'));
      await s.head('k');
      expect(spy).toHaveBeenCalledTimes(1);
      expect(names(events)).toHaveLength(4);
    } finally {
      spy.mockRestore();
    }
  });

  it('names one channel per operation of the contract', () => {
    expect(TRACED_OPERATIONS.map(storageTraceChannelName)).toContain('strata:storage:move');
    expect(new Set(TRACED_OPERATIONS).size).toBe(TRACED_OPERATIONS.length);
  });
});
