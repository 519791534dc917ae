/**
 * The Delta Lake log actions this package writes and reads (PROTOCOL.md, "Actions"), and the commit file
 * format: newline-delimited JSON, one action per line ("Delta Log Entries"). Field names and required fields
 * are the protocol's; optional fields this package does not use are kept when read (unknown fields and
 * unknown actions are ignored, as "Protocol Evolution" asks of clients).
 */
import { PipelineError } from '../../errors.ts';

/** `protocol` ("Protocol Evolution"). */
export interface ProtocolAction {
  minReaderVersion: number;
  minWriterVersion: number;
  readerFeatures?: string[];
  writerFeatures?: string[];
}

/** `metaData` ("Change Metadata"). */
export interface MetadataAction {
  /** A GUID naming the table. */
  id: string;
  name?: string;
  description?: string;
  format: { provider: string; options: Record<string, string> };
  /** The schema, in "Schema Serialization Format". */
  schemaString: string;
  partitionColumns: string[];
  /** Epoch ms. */
  createdTime?: number;
  configuration: Record<string, string>;
}

/** `add` ("Add File and Remove File"). */
export interface AddAction {
  /** Relative path from the table root, URI-encoded (RFC 2396): see {@link encodeDataPath}. */
  path: string;
  /** Partition values as strings ("Partition Value Serialization"); null for a null value. */
  partitionValues: Record<string, string | null>;
  size: number;
  /** Epoch ms. */
  modificationTime: number;
  dataChange: boolean;
  /** Per-file statistics as a JSON string ("Per-file Statistics"). */
  stats?: string;
  tags?: Record<string, string> | null;
  deletionVector?: unknown;
}

/** `remove` ("Add File and Remove File"). */
export interface RemoveAction {
  path: string;
  /** Epoch ms. */
  deletionTimestamp?: number;
  dataChange: boolean;
  extendedFileMetadata?: boolean;
  partitionValues?: Record<string, string | null>;
  size?: number;
  tags?: Record<string, string> | null;
  deletionVector?: unknown;
}

/** `txn` ("Transaction Identifiers"). */
export interface TxnAction {
  appId: string;
  version: number;
  /** Epoch ms. */
  lastUpdated?: number;
}

/** `commitInfo` ("Commit Provenance Information"): free-form; these are the fields this package writes. */
export interface CommitInfoAction {
  /** Epoch ms. */
  timestamp: number;
  operation: string;
  operationParameters?: Record<string, string>;
  isBlindAppend?: boolean;
  engineInfo?: string;
  txnId?: string;
  [field: string]: unknown;
}

/** The actions of one commit (one table version). */
export interface CommitActions {
  commitInfo?: CommitInfoAction;
  protocol?: ProtocolAction;
  metaData?: MetadataAction;
  txn: TxnAction[];
  add: AddAction[];
  remove: RemoveAction[];
}

/** An empty set of actions. */
export const noActions = (): CommitActions => ({ txn: [], add: [], remove: [] });

/**
 * The commit file of `actions`: one line each, `commitInfo` first (where In-Commit Timestamps would need
 * it), then protocol, metadata, transactions, adds and removes.
 */
export function serializeCommit(actions: CommitActions): string {
  const lines: string[] = [];
  if (actions.commitInfo !== undefined) lines.push(JSON.stringify({ commitInfo: actions.commitInfo }));
  if (actions.protocol !== undefined) lines.push(JSON.stringify({ protocol: actions.protocol }));
  if (actions.metaData !== undefined) lines.push(JSON.stringify({ metaData: actions.metaData }));
  for (const txn of actions.txn) lines.push(JSON.stringify({ txn }));
  for (const add of actions.add) lines.push(JSON.stringify({ add }));
  for (const remove of actions.remove) lines.push(JSON.stringify({ remove }));
  return lines.join('\n') + '\n';
}

/** Parses a commit file; malformed JSON is `PipelineError('Corrupted')`, unknown actions are skipped. */
export function parseCommit(text: string, key: string): CommitActions {
  const actions = noActions();
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let action: Record<string, unknown>;
    try {
      action = JSON.parse(line) as Record<string, unknown>;
    } catch (e) {
      throw new PipelineError('Corrupted', `${key}: line ${i + 1} is not JSON`, { cause: e });
    }
    if (action.add) actions.add.push(action.add as AddAction);
    else if (action.remove) actions.remove.push(action.remove as RemoveAction);
    else if (action.txn) actions.txn.push(action.txn as TxnAction);
    else if (action.metaData) actions.metaData = action.metaData as MetadataAction;
    else if (action.protocol) actions.protocol = action.protocol as ProtocolAction;
    else if (action.commitInfo) actions.commitInfo = action.commitInfo as CommitInfoAction;
  }
  return actions;
}

/**
 * The `path` of a data file in the log: each segment of its storage key (relative to the table) percent-
 * encoded (`:` too, so a relative path never reads as a scheme), because the protocol reads `path` as an RFC 2396 URI "which needs to be decoded to get the data
 * file path" — a Hive-escaped `%2F` in a directory name is written `%252F`, as the reference writer does.
 */
export function encodeDataPath(relativeKey: string): string {
  // `=` stays as it is (a legal path character, and what Hive directory names look like in other writers' logs).
  return relativeKey.split('/').map((segment) => encodeURIComponent(segment).replace(/%3D/g, '=')).join('/');
}

/** The storage key (relative to the table) of a log `path`; absolute URIs are not supported. */
export function decodeDataPath(path: string): string {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(path) || path.startsWith('/')) throw new PipelineError('Unsupported', `data file path '${path}' is absolute; only paths relative to the table are supported`);
  try {
    return path.split('/').map(decodeURIComponent).join('/');
  } catch (e) {
    throw new PipelineError('Corrupted', `data file path '${path}' is not a valid URI`, { cause: e });
  }
}
