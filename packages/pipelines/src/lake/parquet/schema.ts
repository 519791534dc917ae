/**
 * The Parquet schema of a table schema, after PROTOCOL.md "Delta Data Type to Parquet Type Mappings":
 * integers as INT32/INT64 (byte and short annotated INT_8/INT_16), `date` as INT32 DATE, `timestamp` as
 * INT64 `TIMESTAMP(isAdjustedToUTC = true, unit = MICROS)`, `decimal(p,s)` as INT32 (p ≤ 9), INT64 (p ≤ 18)
 * or the shortest FIXED_LEN_BYTE_ARRAY with DECIMAL(scale, precision), `string` as BYTE_ARRAY UTF8,
 * arrays and maps in the three-level LIST and MAP layouts of Parquet's LogicalTypes.md, structs as groups.
 *
 * Plain INT32/INT64 carry no INTEGER annotation: they are signed 32/64-bit integers by definition, and the
 * annotation hyparquet-writer 0.17 emits for INTEGER is not readable by DuckDB's Parquet reader.
 */
import type { SchemaElement } from 'hyparquet';
import { decimalOf } from '../schema/types.ts';
import type { LakeSchema, LakeType } from '../schema/types.ts';

type Repetition = 'REQUIRED' | 'OPTIONAL' | 'REPEATED';

const STRING: Partial<SchemaElement> = { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };

/** Bytes of the shortest two's-complement integer that holds every `precision`-digit number. */
export function decimalByteLength(precision: number): number {
  let bytes = 1;
  while (2n ** BigInt(8 * bytes - 1) <= 10n ** BigInt(precision) - 1n) bytes++;
  return bytes;
}

function primitiveElement(type: string): Partial<SchemaElement> {
  const decimal = decimalOf(type as LakeType);
  if (decimal !== undefined) {
    const { precision, scale } = decimal;
    const annotation = { converted_type: 'DECIMAL', scale, precision, logical_type: { type: 'DECIMAL', scale, precision } } as const;
    if (precision <= 9) return { type: 'INT32', ...annotation };
    if (precision <= 18) return { type: 'INT64', ...annotation };
    return { type: 'FIXED_LEN_BYTE_ARRAY', type_length: decimalByteLength(precision), ...annotation };
  }
  switch (type) {
    case 'boolean': return { type: 'BOOLEAN' };
    case 'byte': return { type: 'INT32', converted_type: 'INT_8' };
    case 'short': return { type: 'INT32', converted_type: 'INT_16' };
    case 'integer': return { type: 'INT32' };
    case 'long': return { type: 'INT64' };
    case 'float': return { type: 'FLOAT' };
    case 'double': return { type: 'DOUBLE' };
    case 'string': return STRING;
    case 'binary': return { type: 'BYTE_ARRAY' };
    case 'date': return { type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } };
    case 'timestamp': return { type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } };
    default: throw new Error(`no Parquet type for ${type}`); // unreachable: schemas are normalized first
  }
}

function elements(name: string, type: LakeType, repetition: Repetition): SchemaElement[] {
  if (typeof type === 'string') return [{ name, repetition_type: repetition, ...primitiveElement(type) } as SchemaElement];
  if (type.type === 'array') {
    return [
      { name, repetition_type: repetition, converted_type: 'LIST', logical_type: { type: 'LIST' }, num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      ...elements('element', type.elementType, type.containsNull ? 'OPTIONAL' : 'REQUIRED'),
    ];
  }
  if (type.type === 'map') {
    return [
      { name, repetition_type: repetition, converted_type: 'MAP', logical_type: { type: 'MAP' }, num_children: 1 },
      { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
      ...elements('key', type.keyType, 'REQUIRED'),
      ...elements('value', type.valueType, type.valueContainsNull ? 'OPTIONAL' : 'REQUIRED'),
    ];
  }
  return [
    { name, repetition_type: repetition, num_children: type.fields.length },
    ...type.fields.flatMap((f) => elements(f.name, f.type, f.nullable === false ? 'REQUIRED' : 'OPTIONAL')),
  ];
}

/** The flat, depth-first Parquet schema (root first) of a table schema. */
export function parquetSchemaOf(schema: LakeSchema): SchemaElement[] {
  return [
    { name: 'root', num_children: schema.fields.length },
    ...schema.fields.flatMap((f) => elements(f.name, f.type, f.nullable === false ? 'REQUIRED' : 'OPTIONAL')),
  ];
}
