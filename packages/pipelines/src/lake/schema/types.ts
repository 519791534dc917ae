/**
 * The table schema, in Delta Lake's type system and its JSON form — the `schemaString` of the `metaData`
 * action (PROTOCOL.md, "Schema Serialization Format"): primitive types are their names (`"long"`,
 * `"decimal(10,2)"`), struct, array and map types are objects. A schema is validated once, when a table is
 * declared or its log is read, so the write path can trust it.
 */
import { PipelineError } from '../../errors.ts';

/** Delta's primitive type names ("Primitive Types"), besides `decimal(p,s)`. */
export const PRIMITIVE_TYPE_NAMES = ['boolean', 'byte', 'short', 'integer', 'long', 'float', 'double', 'string', 'binary', 'date', 'timestamp'] as const;

/** A primitive type name other than decimal. */
export type LakePrimitiveTypeName = (typeof PRIMITIVE_TYPE_NAMES)[number];
/** A decimal of `precision` digits (1–38), `scale` of them after the point: `decimal(10,2)`. */
export type LakeDecimalType = `decimal(${number},${number})`;
/** A primitive column type. `timestamp` is UTC with microsecond precision. */
export type LakePrimitiveType = LakePrimitiveTypeName | LakeDecimalType;

/** A struct: named fields ("Struct Type"). */
export interface LakeStructType {
  type: 'struct';
  fields: readonly LakeField[];
}

/** An array of one element type ("Array Type"). */
export interface LakeArrayType {
  type: 'array';
  elementType: LakeType;
  containsNull: boolean;
}

/** A map from keys of one type to values of another ("Map Type"). */
export interface LakeMapType {
  type: 'map';
  keyType: LakeType;
  valueType: LakeType;
  valueContainsNull: boolean;
}

/** Any column type. */
export type LakeType = LakePrimitiveType | LakeStructType | LakeArrayType | LakeMapType;

/** A column ("Struct Field"). */
export interface LakeField {
  name: string;
  type: LakeType;
  /** Whether the column may hold null. @default true */
  nullable?: boolean;
  /** Column metadata, kept as read from the log. */
  metadata?: Record<string, unknown>;
}

/** A table schema: its top-level columns, in file order. */
export interface LakeSchema {
  fields: readonly LakeField[];
}

const DECIMAL_RE = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/;

/** The precision and scale of a decimal type, or `undefined` for any other type. */
export function decimalOf(type: LakeType): { precision: number; scale: number } | undefined {
  if (typeof type !== 'string') return undefined;
  const m = DECIMAL_RE.exec(type);
  if (m === null) return undefined;
  return { precision: Number(m[1]), scale: Number(m[2]) };
}

/** True for primitive types (names and decimals). */
export function isPrimitive(type: LakeType): type is LakePrimitiveType {
  return typeof type === 'string';
}

/** A short readable name of a type, for error messages: `long`, `array<string>`, `struct<a:int>`. */
export function typeName(type: LakeType): string {
  if (typeof type === 'string') return type;
  if (type.type === 'array') return `array<${typeName(type.elementType)}>`;
  if (type.type === 'map') return `map<${typeName(type.keyType)},${typeName(type.valueType)}>`;
  return `struct<${type.fields.map((f) => `${f.name}:${typeName(f.type)}`).join(',')}>`;
}

function normalizeType(type: unknown, where: string): LakeType {
  if (typeof type === 'string') {
    if ((PRIMITIVE_TYPE_NAMES as readonly string[]).includes(type)) return type as LakePrimitiveTypeName;
    const m = DECIMAL_RE.exec(type);
    if (m !== null) {
      const precision = Number(m[1]);
      const scale = Number(m[2]);
      // "The precision and scale can be up to 38."
      if (precision < 1 || precision > 38 || scale > precision) throw new PipelineError('Unsupported', `${where}: decimal(${precision},${scale}) is out of range (precision 1-38, scale at most the precision)`);
      return `decimal(${precision},${scale})`;
    }
    throw new PipelineError('Unsupported', `${where}: type '${type}' is not supported (${PRIMITIVE_TYPE_NAMES.join(', ')}, decimal(p,s), struct, array, map)`);
  }
  if (typeof type === 'object' && type !== null) {
    const t = type as Record<string, unknown>;
    if (t.type === 'struct') return { type: 'struct', fields: normalizeFields(t.fields, where) };
    if (t.type === 'array') return { type: 'array', elementType: normalizeType(t.elementType, `${where}[]`), containsNull: t.containsNull !== false };
    if (t.type === 'map') {
      const keyType = normalizeType(t.keyType, `${where}.key`);
      return { type: 'map', keyType, valueType: normalizeType(t.valueType, `${where}.value`), valueContainsNull: t.valueContainsNull !== false };
    }
  }
  throw new PipelineError('Unsupported', `${where}: not a type: ${JSON.stringify(type)}`);
}

function normalizeFields(fields: unknown, where: string): LakeField[] {
  if (!Array.isArray(fields) || fields.length === 0) throw new PipelineError('SchemaMismatch', `${where}: a struct needs at least one field`);
  const seen = new Set<string>();
  return fields.map((f: unknown) => {
    const field = (f ?? {}) as Partial<LakeField>;
    if (typeof field.name !== 'string' || field.name === '') throw new PipelineError('SchemaMismatch', `${where}: every field needs a non-empty name`);
    // "All column names must be unique regardless of casing."
    const folded = field.name.toLowerCase();
    if (seen.has(folded)) throw new PipelineError('SchemaMismatch', `${where}: column '${field.name}' is declared twice (names are compared ignoring case)`);
    seen.add(folded);
    const path = where === 'schema' ? field.name : `${where}.${field.name}`;
    return { name: field.name, type: normalizeType(field.type, path), nullable: field.nullable !== false, metadata: field.metadata ?? {} };
  });
}

/**
 * Checks a declared or logged schema and returns it normalized (`nullable` explicit, decimals spelled
 * `decimal(p,s)`). Partition columns must be top-level primitive columns other than binary.
 */
export function normalizeSchema(schema: LakeSchema, partitionColumns: readonly string[] = []): LakeSchema {
  const fields = normalizeFields(schema?.fields, 'schema');
  for (const name of partitionColumns) {
    const field = fields.find((f) => f.name === name);
    if (field === undefined) throw new PipelineError('SchemaMismatch', `partition column '${name}' is not a column of the schema`);
    if (!isPrimitive(field.type) || field.type === 'binary') throw new PipelineError('Unsupported', `partition column '${name}' has type ${typeName(field.type)}: partition columns must be primitive and not binary`);
  }
  return { fields };
}

function typeToJson(type: LakeType): unknown {
  if (typeof type === 'string') return type;
  if (type.type === 'struct') return { type: 'struct', fields: type.fields.map(fieldToJson) };
  if (type.type === 'array') return { type: 'array', elementType: typeToJson(type.elementType), containsNull: type.containsNull };
  return { type: 'map', keyType: typeToJson(type.keyType), valueType: typeToJson(type.valueType), valueContainsNull: type.valueContainsNull };
}

function fieldToJson(field: LakeField): unknown {
  return { name: field.name, type: typeToJson(field.type), nullable: field.nullable !== false, metadata: field.metadata ?? {} };
}

/** The schema as Delta's `schemaString` (one line of JSON). */
export function schemaToString(schema: LakeSchema): string {
  return JSON.stringify({ type: 'struct', fields: schema.fields.map(fieldToJson) });
}

/** Parses a `schemaString`; a type this package does not know is a `PipelineError('Unsupported')`. */
export function schemaFromString(schemaString: string): LakeSchema {
  let parsed: unknown;
  try {
    parsed = JSON.parse(schemaString);
  } catch (e) {
    throw new PipelineError('Corrupted', 'metaData.schemaString is not JSON', { cause: e });
  }
  const struct = parsed as Partial<LakeStructType>;
  if (struct?.type !== 'struct') throw new PipelineError('Corrupted', 'metaData.schemaString is not a struct type');
  return { fields: normalizeFields(struct.fields, 'schema') };
}

/** True when two schemas have the same columns, types and nullability (column metadata aside). */
export function sameSchema(a: LakeSchema, b: LakeSchema): boolean {
  const strip = (s: LakeSchema) => JSON.stringify(s.fields.map((f) => [f.name, typeToJson(f.type), f.nullable !== false]));
  return strip(a) === strip(b);
}
