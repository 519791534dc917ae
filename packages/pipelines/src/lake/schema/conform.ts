/**
 * The write side of the schema: checks each record against the table schema and converts its values to the
 * physical form the Parquet writer stores (PROTOCOL.md, "Delta Data Type to Parquet Type Mappings"). A value
 * that does not fit its column is a `PipelineError('SchemaMismatch')` naming the row and the column — never a
 * silent cast: `1.5` is not a `long`, `'7'` is not an `integer`, `12.345` is not a `decimal(10,2)`.
 *
 * Accepted inputs per type:
 * - `boolean`: a boolean; `byte`/`short`/`integer`/`long`: an integer number or a bigint in range;
 * - `float`/`double`: a number (a finite double beyond float's range is an error, not Infinity);
 * - `string`: a string; `binary`: a Uint8Array (Buffer);
 * - `date`: `'YYYY-MM-DD'` or a Date at UTC midnight; `timestamp`: a Date or an ISO 8601 string with a zone;
 * - `decimal(p,s)`: a decimal string (`'-12.50'`), a number whose shortest form fits, or a bigint;
 * - `array`: an array; `struct`: a plain object (no unknown keys); `map`: a Map or a plain object.
 */
import { PipelineError } from '../../errors.ts';
import { decimalOf, typeName } from './types.ts';
import type { LakeField, LakeSchema, LakeType } from './types.ts';
import { DAY_MS, dateToMicros, parseDateString, parseDecimal, parseTimestampString } from './scalars.ts';

/** A record of the lake: a JSON-like object. */
export type LakeRecord = Record<string, unknown>;

/** A record in physical form, one key per schema column. */
export type PhysicalRow = Record<string, unknown>;

const INT_RANGES = { byte: [-128n, 127n], short: [-32_768n, 32_767n], integer: [-2_147_483_648n, 2_147_483_647n], long: [-(2n ** 63n), 2n ** 63n - 1n] } as const;
const FLOAT_MAX = 3.4028234663852886e38;

class Misfit extends Error {}

/** True for a plain object (not an array, Date, Map or byte array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Uint8Array) && !(value instanceof Map);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
  if (value instanceof Uint8Array) return `bytes[${value.length}]`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

function integer(value: unknown, range: readonly [bigint, bigint]): bigint {
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isInteger(value)) n = BigInt(value);
  else throw new Misfit(`${describe(value)} is not an integer`);
  if (n < range[0] || n > range[1]) throw new Misfit(`${describe(value)} is out of range ${range[0]}..${range[1]}`);
  return n;
}

function primitive(type: string, value: unknown): unknown {
  switch (type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw new Misfit(`${describe(value)} is not a boolean`);
      return value;
    case 'byte': case 'short': case 'integer':
      return Number(integer(value, INT_RANGES[type]));
    case 'long':
      return integer(value, INT_RANGES.long);
    case 'float':
      if (typeof value !== 'number') throw new Misfit(`${describe(value)} is not a number`);
      if (Number.isFinite(value) && Math.abs(value) > FLOAT_MAX) throw new Misfit(`${value} is beyond the range of float`);
      return value;
    case 'double':
      if (typeof value !== 'number') throw new Misfit(`${describe(value)} is not a number`);
      return value;
    case 'string':
      if (typeof value !== 'string') throw new Misfit(`${describe(value)} is not a string`);
      return value;
    case 'binary':
      if (!(value instanceof Uint8Array)) throw new Misfit(`${describe(value)} is not a Uint8Array`);
      return value;
    case 'date': {
      if (value instanceof Date) {
        const ms = value.getTime();
        if (Number.isNaN(ms) || ms % DAY_MS !== 0) throw new Misfit(`${describe(value)} is not a UTC midnight (pass 'YYYY-MM-DD')`);
        return ms / DAY_MS;
      }
      const days = typeof value === 'string' ? parseDateString(value) : undefined;
      if (days === undefined) throw new Misfit(`${describe(value)} is not a 'YYYY-MM-DD' date`);
      return days;
    }
    case 'timestamp': {
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new Misfit('Invalid Date');
        return dateToMicros(value);
      }
      if (typeof value !== 'string') throw new Misfit(`${describe(value)} is not a Date or an ISO 8601 string`);
      const micros = parseTimestampString(value);
      if (typeof micros === 'string') throw new Misfit(`${describe(value)} ${micros}`);
      return micros;
    }
    default: {
      const decimal = decimalOf(type as LakeType)!;
      let text: string;
      if (typeof value === 'string') text = value;
      else if (typeof value === 'bigint') text = value.toString();
      else if (typeof value === 'number' && Number.isFinite(value) && !/e/i.test(String(value))) text = String(value);
      else throw new Misfit(`${describe(value)} is not a decimal (pass a string such as '12.34')`);
      const unscaled = parseDecimal(text, decimal.precision, decimal.scale);
      if (typeof unscaled === 'string') throw new Misfit(`${describe(value)} ${unscaled}`);
      return unscaled;
    }
  }
}

/** Checks one value of a column (`path` names it in errors) and returns its physical form. */
export function conformValue(type: LakeType, nullable: boolean, value: unknown, path: string): unknown {
  if (value === null || value === undefined) {
    if (!nullable) throw new PipelineError('SchemaMismatch', `column '${path}' (${typeName(type)}) is not nullable`);
    return null;
  }
  try {
    if (typeof type === 'string') return primitive(type, value);
  } catch (e) {
    if (e instanceof Misfit) throw new PipelineError('SchemaMismatch', `column '${path}' (${typeName(type)}): ${e.message}`);
    throw e;
  }
  if (type.type === 'array') {
    if (!Array.isArray(value)) throw new PipelineError('SchemaMismatch', `column '${path}' (${typeName(type)}): ${describe(value)} is not an array`);
    return value.map((v, i) => conformValue(type.elementType, type.containsNull, v, `${path}[${i}]`));
  }
  if (type.type === 'map') {
    const entries = value instanceof Map ? [...value.entries()] : isPlainObject(value) ? Object.entries(value) : undefined;
    if (entries === undefined) throw new PipelineError('SchemaMismatch', `column '${path}' (${typeName(type)}): ${describe(value)} is not a Map or an object`);
    return entries.map(([k, v]) => ({ key: conformValue(type.keyType, false, k, `${path}.key`), value: conformValue(type.valueType, type.valueContainsNull, v, `${path}[${String(k)}]`) }));
  }
  if (!isPlainObject(value)) throw new PipelineError('SchemaMismatch', `column '${path}' (${typeName(type)}): ${describe(value)} is not an object`);
  return conformFields(type.fields, value, `${path}.`);
}

function conformFields(fields: readonly LakeField[], record: Record<string, unknown>, prefix: string): PhysicalRow {
  const row: PhysicalRow = {};
  let known = 0;
  for (const field of fields) {
    if (Object.hasOwn(record, field.name)) known++;
    row[field.name] = conformValue(field.type, field.nullable !== false, record[field.name], `${prefix}${field.name}`);
  }
  if (known !== Object.keys(record).length) {
    const unknown = Object.keys(record).find((k) => !fields.some((f) => f.name === k));
    if (unknown !== undefined) throw new PipelineError('SchemaMismatch', `column '${prefix}${unknown}' is not in the table schema`);
  }
  return row;
}

/**
 * Checks every record against `schema` and returns their physical rows; the first misfit throws
 * `PipelineError('SchemaMismatch')` naming the record's index and the column, before anything is written.
 */
export function conformRecords(records: readonly LakeRecord[], schema: LakeSchema): PhysicalRow[] {
  return records.map((record, i) => {
    if (!isPlainObject(record)) throw new PipelineError('SchemaMismatch', `record ${i} is not an object`);
    try {
      return conformFields(schema.fields, record, '');
    } catch (e) {
      if (e instanceof PipelineError) throw new PipelineError('SchemaMismatch', `record ${i}: ${e.message}`, { cause: e });
      throw e;
    }
  });
}
