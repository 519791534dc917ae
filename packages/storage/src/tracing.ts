/**
 * Tracing hooks: every operation of a storage made by `createStorage` publishes on a `node:diagnostics_channel`
 * tracing channel named `strata:storage:<operation>` (`strata:storage:put`, `strata:storage:get`, …), the
 * mechanism OpenTelemetry's Node instrumentations and APM agents subscribe to (Node.js API,
 * "diagnostics_channel", TracingChannel; undici publishes its requests the same way).
 *
 * Each call publishes `start` and `end` around the synchronous part, then `asyncStart` and `asyncEnd` when
 * its promise settles, and `error` before them when it fails — `TracingChannel.tracePromise`'s events, with one
 * {@link StorageTraceContext} object shared by all five. Nothing is built or published while no one
 * subscribes: the cost is one `hasSubscribers` check per call.
 *
 * Calls are traced where they reach the adapter, beneath any layer: a retried call is traced once per attempt,
 * and `move` is one span with its head, copy and delete traced inside it. `listAll` is not a call but a loop:
 * each of its pages is a `list` span. A `get` ends when the stream is handed over, not when it is read.
 *
 * @example
 * ```ts
 * import { tracingChannel } from 'node:diagnostics_channel';
 * tracingChannel('strata:storage:get').subscribe({
 *   start(ctx) { console.log('get', ctx.key, 'on', ctx.adapter); },
 *   asyncEnd(ctx) { console.log('got', ctx.bytes, 'bytes'); },
 *   error(ctx) { console.log('failed', ctx.error); },
 *   end() {},
 *   asyncStart() {},
 * });
 * ```
 */
import { tracingChannel } from 'node:diagnostics_channel';
import type { TracingChannel } from 'node:diagnostics_channel';
import type { GetResult, ObjectInfo, PartInfo } from './types.ts';

/** Every operation traced by the front wrapper (each with its channel `strata:storage:<operation>`). */
export const TRACED_OPERATIONS = Object.freeze([
  'put',
  'get',
  'head',
  'exists',
  'delete',
  'deleteMany',
  'list',
  'copy',
  'move',
  'setTags',
  'startMultipart',
  'uploadPart',
  'completeMultipart',
  'abortMultipart',
  'listParts',
  'listMultipartUploads',
] as const);

/** An operation with a tracing channel. */
export type TracedOperation = (typeof TRACED_OPERATIONS)[number];

/**
 * What subscribers receive: the same object on every event of one call, so a subscriber may keep a span on it
 * at `start` and end it at `asyncEnd`. `error` and `result` are set by `tracePromise` when the call settles.
 */
export interface StorageTraceContext {
  /** The operation, as in the channel name. */
  operation: TracedOperation;
  /** The key concerned (the destination for copy and move); undefined for list and other key-less calls. */
  key: string | undefined;
  /** The adapter's name (`memory`, `file`, `block`, `s3`, …). */
  adapter: string;
  /**
   * Bytes of the object written (put, copy, move, uploadPart, completeMultipart) or of the body returned (get:
   * the range's length when a range was asked), set before `asyncStart`; absent for other operations and
   * failed calls.
   */
  bytes?: number;
  /** The thrown error (a `StorageError` with `op` and `key` filled in), set before the `error` event. */
  error?: unknown;
  /** The call's result, set before `asyncStart` on success. */
  result?: unknown;
}

/** The name of an operation's tracing channel: `strata:storage:<operation>`. */
export function storageTraceChannelName(operation: TracedOperation): string {
  return `strata:storage:${operation}`;
}

/** The channels, made once: a subscriber's `tracingChannel(name)` reaches the same named channels. */
const CHANNELS = new Map<string, TracingChannel<unknown, StorageTraceContext>>(
  TRACED_OPERATIONS.map((op) => [op, tracingChannel<unknown, StorageTraceContext>(storageTraceChannelName(op))]),
);

/** The bytes an operation's result stands for, when it has any. */
function bytesOf(operation: TracedOperation, result: unknown): number | undefined {
  switch (operation) {
    case 'put':
    case 'copy':
    case 'move':
    case 'completeMultipart':
      return (result as ObjectInfo).size;
    case 'uploadPart':
      return (result as PartInfo).size;
    case 'get': {
      const { info, range } = result as GetResult;
      return range ? range.end - range.start + 1 : info.size;
    }
    default:
      return undefined;
  }
}

/**
 * Runs `run` as one traced call of `operation`, or just runs it while no one subscribes to that operation's
 * channel.
 */
export function traceOperation<T>(operation: TracedOperation, key: string | undefined, adapter: string, run: () => Promise<T>): Promise<T> {
  const channel = CHANNELS.get(operation);
  if (!channel?.hasSubscribers) return run();
  const context: StorageTraceContext = { operation, key, adapter };
  return channel.tracePromise(async () => {
    const result = await run();
    const bytes = bytesOf(operation, result);
    if (bytes !== undefined) context.bytes = bytes;
    return result;
  }, context);
}
