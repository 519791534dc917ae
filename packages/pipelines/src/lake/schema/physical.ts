/**
 * Raw Parquet values (as `readParquetRows(bytes, { exact: true })` returns them) back to the physical form
 * the writer takes, without a detour through JavaScript forms that would lose precision (a timestamp's
 * microseconds, a long beyond 2^53, a decimal's digits). Compaction rewrites files through this.
 */
import { bytesToBigInt, dateToMicros } from './scalars.ts';
import { isPlainObject } from './conform.ts';
import type { PhysicalRow } from './conform.ts';
import { decimalOf } from './types.ts';
import type { LakeSchema, LakeType } from './types.ts';

/** The physical value of a raw value of `type`. */
export function physicalFromRaw(type: LakeType, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  if (typeof type === 'string') {
    if (decimalOf(type) !== undefined) return raw instanceof Uint8Array ? bytesToBigInt(raw) : BigInt(raw as number | bigint);
    if (type === 'long') return BigInt(raw as number | bigint);
    if (type === 'byte' || type === 'short' || type === 'integer') return Number(raw);
    if (type === 'timestamp' && raw instanceof Date) return dateToMicros(raw);
    return raw;
  }
  if (type.type === 'array') return (raw as unknown[]).map((v) => physicalFromRaw(type.elementType, v));
  if (type.type === 'map') {
    const entries = raw instanceof Map ? [...raw.entries()] : Object.entries(raw as Record<string, unknown>);
    return entries.map(([key, value]) => ({ key: physicalFromRaw(type.keyType, key), value: physicalFromRaw(type.valueType, value) }));
  }
  const struct = isPlainObject(raw) ? raw : {};
  return Object.fromEntries(type.fields.map((f) => [f.name, physicalFromRaw(f.type, struct[f.name])]));
}

/** The physical row of a raw row; columns the file lacks are `undefined` (the caller fills them). */
export function physicalRow(schema: LakeSchema, raw: Record<string, unknown>): PhysicalRow {
  const row: PhysicalRow = {};
  for (const f of schema.fields) row[f.name] = raw[f.name] === undefined ? undefined : physicalFromRaw(f.type, raw[f.name]);
  return row;
}
