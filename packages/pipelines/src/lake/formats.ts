/**
 * Data file formats of the lake: gzip'd JSON Lines and Apache Parquet (through hyparquet-writer / hyparquet,
 * maintained pure-JS packages). Records are JSON objects; Parquet columns are inferred per file from the
 * values (numbers → DOUBLE, strings → STRING, booleans → BOOLEAN, anything else or mixed → JSON).
 *
 * Limitation: Parquet has no "absent" distinct from null, so a null field reads back as absent.
 */
import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { BasicType, ColumnSource } from 'hyparquet-writer';
import { gunzipJsonLines, gzipJsonLines } from '../internal/streams.ts';

/** A record of the lake: a JSON object. */
export type LakeRecord = Record<string, unknown>;

/** A data file format. */
export type LakeFormat = 'jsonl' | 'parquet';

/** The file extension of each format. */
export const FORMAT_EXTENSION: Record<LakeFormat, string> = { jsonl: 'jsonl.gz', parquet: 'parquet' };

/** The Content-Type stored with each format. */
export const FORMAT_CONTENT_TYPE: Record<LakeFormat, string> = { jsonl: 'application/x-ndjson', parquet: 'application/vnd.apache.parquet' };

function columnType(values: readonly unknown[]): BasicType {
  let kind: string | undefined;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const k = typeof v === 'object' ? 'json' : typeof v;
    if (kind === undefined) kind = k;
    else if (kind !== k) return 'JSON';
  }
  if (kind === 'number') return 'DOUBLE';
  if (kind === 'string') return 'STRING';
  if (kind === 'boolean') return 'BOOLEAN';
  return 'JSON';
}

/** Encodes records as one file of `format`. */
export function encodeRecords(records: readonly LakeRecord[], format: LakeFormat): Uint8Array {
  if (format === 'jsonl') return gzipJsonLines(records);
  // Through JSON first, so the file holds what a JSON Lines file would (Dates as strings, no undefined).
  const plain = records.map((r) => JSON.parse(JSON.stringify(r)) as LakeRecord);
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of plain) {
    for (const k of Object.keys(r)) {
      if (seen.has(k)) continue;
      seen.add(k);
      names.push(k);
    }
  }
  const columnData: ColumnSource[] = names.map((name) => {
    const data = plain.map((r) => (r[name] === undefined ? null : r[name]));
    return { name, data, type: columnType(data), nullable: true };
  });
  return new Uint8Array(parquetWriteBuffer({ columnData, createdBy: 'strata-pipelines' }));
}

/** Decodes one file of `format` into records. */
export async function decodeRecords(bytes: Uint8Array, format: LakeFormat): Promise<LakeRecord[]> {
  if (format === 'jsonl') return gunzipJsonLines<LakeRecord>(bytes);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const rows = (await parquetReadObjects({ file })) as LakeRecord[];
  return rows.map((row) => Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null && v !== undefined)));
}
