/**
 * Protocol versions (PROTOCOL.md, "Protocol Evolution", "Reader Version Requirements", "Writer Version
 * Requirements"). Tables this package creates ask for the lowest versions their features need:
 * - reader version 1: plain Parquet files, no column mapping, deletion vectors or other reader features;
 * - writer version 1, or 2 when a column is non-nullable or `delta.appendOnly` is set — the reference
 *   implementation enforces non-nullable columns as column invariants, and both "Append-only Tables" and
 *   "Column Invariants" are Writer Version 2 requirements.
 * Reading needs reader version 1 (or 3 with no reader feature); writing needs writer version ≤ 2 (or 7 with
 * only `appendOnly` and `invariants`) and no `delta.invariants` expression, which this package cannot
 * evaluate. Anything else is `PipelineError('Unsupported')`, as the protocol asks of a client that does not
 * implement a version ("an error should be thrown instructing the user to upgrade").
 */
import { PipelineError } from '../../errors.ts';
import type { MetadataAction, ProtocolAction } from './actions.ts';
import type { LakeSchema, LakeType } from '../schema/types.ts';

const SUPPORTED_WRITER_FEATURES = new Set(['appendOnly', 'invariants']);

function hasNonNullable(type: LakeType, nullable: boolean): boolean {
  if (!nullable) return true;
  if (typeof type === 'string') return false;
  if (type.type === 'struct') return type.fields.some((f) => hasNonNullable(f.type, f.nullable !== false));
  if (type.type === 'array') return hasNonNullable(type.elementType, type.containsNull);
  return hasNonNullable(type.keyType, true) || hasNonNullable(type.valueType, type.valueContainsNull);
}

/** The lowest protocol a new table with this schema and configuration needs. */
export function requiredProtocol(schema: LakeSchema, configuration: Record<string, string>): ProtocolAction {
  const needsV2 = schema.fields.some((f) => hasNonNullable(f.type, f.nullable !== false)) || configuration['delta.appendOnly'] === 'true';
  return { minReaderVersion: 1, minWriterVersion: needsV2 ? 2 : 1 };
}

/** Throws `Unsupported` unless this package can read a table with `protocol`. */
export function assertReadable(protocol: ProtocolAction, table: string): void {
  const { minReaderVersion: reader, readerFeatures = [] } = protocol;
  if (reader === 1 || (reader === 3 && readerFeatures.length === 0)) return;
  const detail = reader === 3 ? `reader features ${readerFeatures.join(', ')}` : `reader version ${reader}`;
  throw new PipelineError('Unsupported', `table '${table}' needs ${detail}; this package reads reader version 1 tables`);
}

/** Throws `Unsupported` unless this package can write a table with `protocol` and `metadata`. */
export function assertWritable(protocol: ProtocolAction, metadata: MetadataAction | undefined, table: string): void {
  assertReadable(protocol, table);
  const { minWriterVersion: writer, writerFeatures = [] } = protocol;
  const unsupported = writer === 7 ? writerFeatures.filter((f) => !SUPPORTED_WRITER_FEATURES.has(f)) : [];
  if (writer > 2 && (writer !== 7 || unsupported.length > 0)) {
    const detail = writer === 7 ? `writer features ${unsupported.join(', ')}` : `writer version ${writer}`;
    throw new PipelineError('Unsupported', `table '${table}' needs ${detail}; this package writes writer versions 1 and 2`);
  }
  if (metadata !== undefined && metadata.schemaString.includes('"delta.invariants"')) {
    throw new PipelineError('Unsupported', `table '${table}' has column invariants (SQL expressions), which this package cannot check`);
  }
}
