/**
 * The {@link S3Context} the dispatcher hands a handler, as a class: one allocation per request with a fixed
 * shape, and the abort signal made only when a handler asks for it (a controller and a `close` listener per
 * request showed in the GET profile, and a small GET never needs them; see object-get.ts).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AuthResult } from './auth/index.ts';
import type { S3Context, ServerState } from './context.ts';
import type { QueryParams } from './query-params.ts';

/** An {@link S3Context} over one request and its response. */
export class RequestContext implements S3Context {
  #controller: AbortController | undefined;
  readonly #response: ServerResponse;

  constructor(
    readonly op: string,
    readonly method: string,
    readonly bucket: string | undefined,
    readonly key: string | undefined,
    readonly query: QueryParams,
    readonly headers: IncomingHttpHeaders,
    readonly raw: IncomingMessage,
    readonly auth: AuthResult,
    readonly requestId: string,
    readonly state: ServerState,
    response: ServerResponse,
  ) {
    this.#response = response;
  }

  /** Fires when the client goes away before the answer is complete. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const c = (this.#controller = new AbortController());
      const res = this.#response;
      // A client that goes away mid-request aborts the storage operation (which then leaves no partial effect).
      const onClose = () => {
        if (!res.writableFinished) c.abort(new Error('client closed the connection'));
      };
      if (res.closed) onClose();
      else res.once('close', onClose);
    }
    return this.#controller.signal;
  }
}
