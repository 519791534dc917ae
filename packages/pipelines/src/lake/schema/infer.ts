/**
 * Schema inference, for a table created without a declared schema: the first batch decides the column types
 * once; they are written to the log and every later batch is checked against them. Rules, per column over
 * the whole batch: integers (numbers without a fraction, bigints) → `long`, any other number → `double`,
 * strings → `string`, booleans → `boolean`, Dates → `timestamp`, byte arrays → `binary`, arrays →
 * `array<…>`, plain objects → `struct<…>`. Every inferred column is nullable. A column whose values disagree
 * (a number and a string), or that holds only nulls, cannot be inferred: declare the schema instead.
 */
import { PipelineError } from '../../errors.ts';
import { isPlainObject } from './conform.ts';
import type { LakeRecord } from './conform.ts';
import { typeName } from './types.ts';
import type { LakeField, LakeSchema, LakeType } from './types.ts';

function kindOf(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'fraction';
  if (typeof value === 'bigint') return 'integer';
  if (value instanceof Date) return 'timestamp';
  if (value instanceof Uint8Array) return 'binary';
  if (Array.isArray(value)) return 'array';
  if (isPlainObject(value)) return 'struct';
  return typeof value;
}

function inferType(values: readonly unknown[], path: string): LakeType {
  const kinds = new Set(values.filter((v) => v !== null && v !== undefined).map(kindOf));
  if (kinds.has('fraction')) kinds.delete('integer'); // 1 and 1.5 in one column: double
  if (kinds.size === 0) throw new PipelineError('SchemaMismatch', `column '${path}' holds only nulls: its type cannot be inferred; declare a schema`);
  if (kinds.size > 1) throw new PipelineError('SchemaMismatch', `column '${path}' mixes ${[...kinds].join(' and ')} values: its type cannot be inferred; declare a schema`);
  const kind = [...kinds][0]!;
  const present = values.filter((v) => v !== null && v !== undefined);
  switch (kind) {
    case 'integer': return 'long';
    case 'fraction': return 'double';
    case 'string': case 'boolean': case 'timestamp': case 'binary': return kind;
    case 'array': {
      const elements = (present as unknown[][]).flat();
      const elementType = elements.some((v) => v !== null && v !== undefined) ? inferType(elements, `${path}[]`) : 'string';
      return { type: 'array', elementType, containsNull: true };
    }
    case 'struct': return { type: 'struct', fields: inferFields(present as LakeRecord[], `${path}.`) };
    default: throw new PipelineError('SchemaMismatch', `column '${path}' holds ${kind} values, which have no column type; declare a schema`);
  }
}

function inferFields(records: readonly LakeRecord[], prefix: string): LakeField[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) if (!seen.has(k)) { seen.add(k); names.push(k); }
  return names.map((name) => ({ name, type: inferType(records.map((r) => r[name]), `${prefix}${name}`), nullable: true, metadata: {} }));
}

/** Infers a schema from a batch (see the module header); partition columns must be among its columns. */
export function inferSchema(records: readonly LakeRecord[], partitionColumns: readonly string[] = []): LakeSchema {
  if (records.length === 0) throw new PipelineError('SchemaMismatch', 'cannot infer a schema from an empty batch; declare a schema');
  for (const [i, r] of records.entries()) if (!isPlainObject(r)) throw new PipelineError('SchemaMismatch', `record ${i} is not an object`);
  const fields = inferFields(records, '');
  for (const name of partitionColumns) {
    const field = fields.find((f) => f.name === name);
    if (field === undefined) throw new PipelineError('SchemaMismatch', `partition column '${name}' is in no record of the batch`);
    if (typeof field.type !== 'string' || field.type === 'binary') throw new PipelineError('Unsupported', `partition column '${name}' would be ${typeName(field.type)}: partition columns must be primitive and not binary`);
  }
  return { fields };
}
