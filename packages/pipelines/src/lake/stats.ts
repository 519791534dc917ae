/**
 * Per-file statistics of the `add` action (PROTOCOL.md, "Per-file Statistics"): `numRecords`, and for each
 * top-level primitive data column its `nullCount` and, where they have a JSON form, `minValues` and
 * `maxValues`. Partition columns get none (their value is in `partitionValues`), nor do nested columns.
 * Bounds follow the protocol's footnote: strings are cut to a 32-character prefix — kept for the minimum,
 * dropped for a maximum that would need cutting (a cut maximum would be below the real one) — and
 * timestamps are truncated down to milliseconds. Booleans and binary get no bounds; a float column holding
 * NaN gets none either. Longs and decimals are written as exact JSON numbers.
 */
import type { PhysicalRow } from './schema/conform.ts';
import { decimalOf } from './schema/types.ts';
import type { LakeSchema } from './schema/types.ts';
import { formatDate, formatDecimal, formatTimestampMicros } from './schema/scalars.ts';

/** Statistics of one data file, as read back from `add.stats`. */
export interface FileStats {
  numRecords: number;
  minValues?: Record<string, unknown>;
  maxValues?: Record<string, unknown>;
  nullCount?: Record<string, number>;
  tightBounds?: boolean;
}

const STRING_PREFIX = 32;

/** A number written to JSON as its exact literal (a long or a decimal beyond double precision). */
class JsonNumber {
  constructor(readonly text: string) {}
}

function toJson(value: unknown): string {
  if (value instanceof JsonNumber) return value.text;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Code point order, which is UTF-8 byte order — how engines compare strings when they skip files. */
function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates encode code points above U+FFFF: in code point order they follow all of the BMP.
    if (x >= 0xd800 && x <= 0xdfff) x += 0x10000;
    if (y >= 0xd800 && y <= 0xdfff) y += 0x10000;
    return x - y;
  }
  return a.length - b.length;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

function codePointPrefix(text: string): string {
  return [...text].slice(0, STRING_PREFIX).join('');
}

/** The JSON text of the statistics of a file holding `rows`. */
export function fileStats(rows: readonly PhysicalRow[], schema: LakeSchema, partitionColumns: readonly string[]): string {
  const minValues: Record<string, unknown> = {};
  const maxValues: Record<string, unknown> = {};
  const nullCount: Record<string, number> = {};
  for (const field of schema.fields) {
    const { name, type } = field;
    if (typeof type !== 'string' || partitionColumns.includes(name)) continue;
    let nulls = 0;
    let min: unknown;
    let max: unknown;
    let boundless = type === 'boolean' || type === 'binary';
    for (const row of rows) {
      const v = row[name];
      if (v === null || v === undefined) { nulls++; continue; }
      if (typeof v === 'number' && Number.isNaN(v)) boundless = true;
      if (boundless) continue;
      if (min === undefined || compare(v, min) < 0) min = v;
      if (max === undefined || compare(v, max) > 0) max = v;
    }
    nullCount[name] = nulls;
    if (boundless || min === undefined) continue;
    if (typeof min === 'number' && !(Number.isFinite(min) && Number.isFinite(max))) continue; // JSON has no Infinity
    const decimal = decimalOf(type);
    const json = (v: unknown): unknown => {
      if (decimal !== undefined) return new JsonNumber(formatDecimal(v as bigint, decimal.scale));
      if (type === 'long') return new JsonNumber(String(v));
      if (type === 'date') return formatDate(v as number);
      if (type === 'timestamp') return `${formatTimestampMicros(v as bigint).slice(0, 23)}Z`; // down to milliseconds
      return v;
    };
    if (type === 'string') {
      minValues[name] = codePointPrefix(min as string);
      if ([...(max as string)].length <= STRING_PREFIX) maxValues[name] = max;
    } else {
      minValues[name] = json(min);
      maxValues[name] = json(max);
    }
  }
  return toJson({ numRecords: rows.length, minValues, maxValues, nullCount });
}

/** Parses `add.stats`; `undefined` when absent or not JSON (statistics are optional). */
export function parseStats(stats: string | undefined): FileStats | undefined {
  if (stats === undefined || stats === null) return undefined;
  try {
    const parsed = JSON.parse(stats) as FileStats;
    return typeof parsed?.numRecords === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
