/**
 * The source side of a queue archive: an async iterable of messages, each acknowledged once it is durable
 * elsewhere. The archiver acks only after a segment and its commit record are stored, so a crash between
 * delivery and ack makes the source deliver the message again (at-least-once delivery, SQS/Kafka style); the
 * archiver removes those duplicates by message id.
 */

/** One delivered message. */
export interface SourceMessage {
  /** A stable id, unique within the source (a BullMQ job id, an SQS message id). Used to drop redeliveries. */
  readonly id: string;
  /** The payload, any JSON value. */
  readonly data: unknown;
  /** When the message was produced or finished, epoch milliseconds (used by age-based retention). */
  readonly timestamp: number;
  /** Optional extra fields stored with the message (a BullMQ job's name, return value, attempts). */
  readonly attributes?: Record<string, unknown>;
  /** Removes the message from the source for good. Called once, after the message is archived durably. */
  ack(): Promise<void>;
  /** Gives the message back to the source for redelivery (the archiver could not store it). */
  nack(): Promise<void>;
}

/**
 * A queue the archiver can drain. `messages()` yields until the source is empty when `follow` is false, or
 * waits for new messages until `signal` aborts when `follow` is true. Ending the iteration early (break,
 * throw) returns every delivered-but-unacked message to the source.
 */
export interface MessageSource {
  /** A name for logs and state (`memory:orders`, `bullmq:emails`). */
  readonly name: string;
  messages(options?: MessagesOptions): AsyncIterable<SourceMessage>;
}

/** Options of {@link MessageSource.messages}. */
export interface MessagesOptions {
  /** Keep waiting for new messages instead of ending when the source is empty. @default false */
  follow?: boolean;
  /** Ends a following iteration. */
  signal?: AbortSignal;
}
