/**
 * The read side of the schema: turns the values a Parquet reader returns into the JavaScript form of each
 * column type, and partition values from the log back into typed values (PROTOCOL.md, "Partition Value
 * Serialization"). Read forms:
 * - `long`: a number when it is a safe integer, else a bigint; other integers and floats: numbers;
 * - `decimal(p,s)`: an exact string (`'-12.50'`); `date`: `'YYYY-MM-DD'`; `timestamp`: a Date (JavaScript
 *   dates hold milliseconds: digits below are in the file, and in `formatTimestampMicros` form in stats);
 * - `binary`: a Uint8Array; `map`: a plain object (keys as strings); null stays null.
 */
import { PipelineError } from '../../errors.ts';
import { decimalOf } from './types.ts';
import type { LakePrimitiveType, LakeSchema, LakeType } from './types.ts';
import { bytesToBigInt, formatDate, formatDecimal, parseDateString, parseDecimal, parseTimestampString } from './scalars.ts';
import { isPlainObject } from './conform.ts';
import type { LakeRecord } from './conform.ts';

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function integerToJs(raw: unknown): unknown {
  if (typeof raw === 'bigint') return raw >= MIN_SAFE && raw <= MAX_SAFE ? Number(raw) : raw;
  return raw;
}

/** The JavaScript value of one stored value of `type`. */
export function decodeValue(type: LakeType, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  if (typeof type === 'string') {
    const decimal = decimalOf(type);
    if (decimal !== undefined) {
      // Read with the DECIMAL annotation removed (see parquet/io.ts): an int32, an int64 or big-endian bytes.
      const unscaled = raw instanceof Uint8Array ? bytesToBigInt(raw) : BigInt(raw as number | bigint);
      return formatDecimal(unscaled, decimal.scale);
    }
    if (type === 'long' || type === 'integer' || type === 'short' || type === 'byte') return integerToJs(raw);
    if (type === 'date' && typeof raw === 'number') return formatDate(raw);
    if (type === 'date' && raw instanceof Date) return raw.toISOString().slice(0, 10);
    return raw;
  }
  if (type.type === 'array') return (raw as unknown[]).map((v) => decodeValue(type.elementType, v));
  if (type.type === 'map') {
    const entries = raw instanceof Map ? [...raw.entries()] : Object.entries(raw as Record<string, unknown>);
    return Object.fromEntries(entries.map(([k, v]) => [String(k), decodeValue(type.valueType, v)]));
  }
  const struct = isPlainObject(raw) ? raw : {};
  return Object.fromEntries(type.fields.map((f) => [f.name, decodeValue(f.type, struct[f.name])]));
}

const IDENTITY = new Set<LakeType>(['boolean', 'float', 'double', 'string', 'binary', 'timestamp']);
const decoders = new WeakMap<LakeSchema, [string, ((raw: unknown) => unknown) | undefined][]>();

/** A stored row as a record of the schema's columns; columns missing from the file read as null. */
export function decodeRow(schema: LakeSchema, row: Record<string, unknown>): LakeRecord {
  let columns = decoders.get(schema);
  if (columns === undefined) {
    // Once per schema: which columns come out of the reader as they are, and which need decoding.
    columns = schema.fields.map((f) => [f.name, IDENTITY.has(f.type) ? undefined : (raw: unknown) => decodeValue(f.type, raw)]);
    decoders.set(schema, columns);
  }
  const record: LakeRecord = {};
  for (const [name, decode] of columns) {
    const raw = row[name];
    record[name] = raw === undefined || raw === null ? null : decode === undefined ? raw : decode(raw);
  }
  return record;
}

/**
 * The typed value of a partition value string: an empty string or null is null ("An empty string for any
 * type translates to a null partition value").
 */
export function decodePartitionValue(type: LakePrimitiveType, text: string | null | undefined, column: string): unknown {
  if (text === null || text === undefined || text === '') return null;
  const bad = () => new PipelineError('Corrupted', `partition value ${JSON.stringify(text)} of column '${column}' is not a ${type}`);
  const decimal = decimalOf(type);
  if (decimal !== undefined) {
    const unscaled = parseDecimal(text, decimal.precision, decimal.scale);
    if (typeof unscaled === 'string') throw bad();
    return formatDecimal(unscaled, decimal.scale);
  }
  switch (type) {
    case 'string': return text;
    case 'boolean': if (text === 'true' || text === 'false') return text === 'true'; throw bad();
    case 'byte': case 'short': case 'integer': case 'long': {
      if (!/^[+-]?\d+$/.test(text)) throw bad();
      return integerToJs(BigInt(text));
    }
    case 'float': case 'double': {
      const n = Number(text);
      if (Number.isNaN(n) && text !== 'NaN') throw bad();
      return n;
    }
    case 'date': if (parseDateString(text) === undefined) throw bad(); return text;
    case 'timestamp': {
      // Either ISO 8601 in UTC, or `{year}-{month}-{day} {hour}:{minute}:{second}[.micros]` read as UTC.
      const micros = parseTimestampString(/(Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`);
      if (typeof micros === 'string') throw bad();
      return new Date(Number(micros / 1000n));
    }
    default: throw bad(); // binary partition columns are refused when a schema is normalized
  }
}
