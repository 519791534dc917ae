/**
 * Typed Parquet files through hyparquet-writer and hyparquet (maintained pure-JS packages): rows already in
 * physical form (`schema/conform.ts`) are written under the schema of `parquet/schema.ts`; files are read
 * back into records of the table schema (`schema/decode.ts`). Used for data files and for checkpoints alike.
 *
 * Reading keeps every value exact: dates come back as day numbers, timestamps through flooring parsers (also before 1970),
 * and decimal columns are read with their DECIMAL annotation removed from the file metadata — hyparquet
 * would turn them into floating-point numbers — so the unscaled integers reach `decodeValue` whole.
 */
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import type { FileMetaData, SchemaElement } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { LakeRecord, PhysicalRow } from '../schema/conform.ts';
import { decodeRow } from '../schema/decode.ts';
import type { LakeSchema } from '../schema/types.ts';
import { parquetSchemaOf } from './schema.ts';

/** Written into each file's `created_by`. */
export const CREATED_BY = 'strata-pipelines';

/** Encodes physical rows as one Parquet file of `schema`. */
export function writeParquet(rows: readonly PhysicalRow[], schema: LakeSchema): Uint8Array {
  const columnData = schema.fields.map((f) => ({ name: f.name, data: rows.map((r) => r[f.name] ?? null) }));
  return new Uint8Array(parquetWriteBuffer({ columnData, schema: parquetSchemaOf(schema), createdBy: CREATED_BY }));
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function withoutDecimalAnnotations(metadata: FileMetaData): FileMetaData {
  const isDecimal = (e: SchemaElement) => e.converted_type === 'DECIMAL' || e.logical_type?.type === 'DECIMAL';
  if (!metadata.schema.some(isDecimal)) return metadata;
  return { ...metadata, schema: metadata.schema.map((e) => (isDecimal(e) ? { ...e, converted_type: undefined, logical_type: undefined } : e)) };
}

/**
 * Reads raw rows of a Parquet file: hyparquet's values, dates as day numbers, decimals as unscaled integers,
 * and timestamps as Dates — or, with `exact`, as bigint microseconds (what rewriting a file needs).
 */
export async function readParquetRows(bytes: Uint8Array, options: { exact?: boolean } = {}): Promise<Record<string, unknown>[]> {
  const file = toArrayBuffer(bytes);
  const metadata = withoutDecimalAnnotations(parquetMetadata(file));
  const floorDiv = (n: bigint, d: bigint) => n / d - (n % d < 0n ? 1n : 0n);
  const timestamp = options.exact === true
    ? { ms: (ms: bigint) => ms * 1000n, us: (us: bigint) => us, ns: (ns: bigint) => floorDiv(ns, 1000n) }
    : { ms: (ms: bigint) => new Date(Number(ms)), us: (us: bigint) => new Date(Number(floorDiv(us, 1000n))), ns: (ns: bigint) => new Date(Number(floorDiv(ns, 1_000_000n))) };
  return (await parquetReadObjects({
    file,
    metadata,
    utf8: false, // un-annotated BYTE_ARRAY is `binary`: keep the bytes
    parsers: { dateFromDays: (days: number) => days, timestampFromMilliseconds: timestamp.ms, timestampFromMicroseconds: timestamp.us, timestampFromNanoseconds: timestamp.ns },
  })) as Record<string, unknown>[];
}

/** Reads a Parquet file into records of `schema`; columns the file lacks read as null. */
export async function readParquet(bytes: Uint8Array, schema: LakeSchema): Promise<LakeRecord[]> {
  return (await readParquetRows(bytes)).map((row) => decodeRow(schema, row));
}
