/**
 * The required fields of the Delta log actions, transcribed from PROTOCOL.md of delta-io/delta ("Change
 * Metadata", "Add File and Remove File", "Transaction Identifiers", "Protocol Evolution", "Commit Provenance
 * Information", "Per-file Statistics", "Last Checkpoint File Schema") as checks that return the list of
 * violations of one action. Independent of the package's own types, so the tests judge the written JSON.
 */

type Json = Record<string, unknown>;

const isLong = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v);
const isInt = (v: unknown) => isLong(v) && Math.abs(v as number) < 2 ** 31;
const isStringMap = (v: unknown, nullValues = false) =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string' || (nullValues && x === null));
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function check(problems: string[], ok: boolean, message: string): void {
  if (!ok) problems.push(message);
}

/** `protocol`: minReaderVersion and minWriterVersion (Int) required; features only with versions 3 / 7. */
export function protocolProblems(p: Json): string[] {
  const problems: string[] = [];
  check(problems, isInt(p.minReaderVersion), 'protocol.minReaderVersion must be an Int');
  check(problems, isInt(p.minWriterVersion), 'protocol.minWriterVersion must be an Int');
  check(problems, p.readerFeatures === undefined || p.minReaderVersion === 3, 'protocol.readerFeatures exist only when minReaderVersion is 3');
  check(problems, p.writerFeatures === undefined || p.minWriterVersion === 7, 'protocol.writerFeatures exist only when minWriterVersion is 7');
  return problems;
}

/** `metaData`: id (GUID), format, schemaString, partitionColumns, configuration required. */
export function metadataProblems(m: Json): string[] {
  const problems: string[] = [];
  check(problems, typeof m.id === 'string' && GUID.test(m.id), 'metaData.id must be a GUID');
  const format = m.format as Json | undefined;
  check(problems, typeof format?.provider === 'string' && isStringMap(format.options), 'metaData.format must be { provider: String, options: Map[String, String] }');
  let schema: Json | undefined;
  try {
    schema = JSON.parse(String(m.schemaString)) as Json;
  } catch {
    schema = undefined;
  }
  check(problems, schema?.type === 'struct' && Array.isArray(schema.fields), 'metaData.schemaString must be a struct in Schema Serialization Format');
  for (const f of (schema?.fields ?? []) as Json[]) {
    check(problems, typeof f.name === 'string' && f.type !== undefined && typeof f.nullable === 'boolean' && typeof f.metadata === 'object', `schema field ${String(f.name)} needs name, type, nullable, metadata`);
  }
  const columns = Array.isArray(m.partitionColumns) ? (m.partitionColumns as unknown[]) : undefined;
  check(problems, columns !== undefined && columns.every((c) => typeof c === 'string'), 'metaData.partitionColumns must be Array[String]');
  const names = ((schema?.fields ?? []) as Json[]).map((f) => f.name);
  check(problems, (columns ?? []).every((c) => names.includes(c)), 'metaData.partitionColumns must be columns of the schema');
  check(problems, isStringMap(m.configuration), 'metaData.configuration must be Map[String, String]');
  check(problems, m.createdTime === undefined || isLong(m.createdTime), 'metaData.createdTime must be a Long');
  return problems;
}

/** Per-file statistics: numRecords, and minValues/maxValues/nullCount keyed by data columns. */
export function statsProblems(stats: unknown, dataColumns: readonly string[]): string[] {
  const problems: string[] = [];
  let s: Json;
  try {
    s = JSON.parse(String(stats)) as Json;
  } catch {
    return ['add.stats must be a JSON string'];
  }
  check(problems, isLong(s.numRecords) && (s.numRecords as number) >= 0, 'stats.numRecords must be a non-negative Long');
  for (const key of ['minValues', 'maxValues', 'nullCount'] as const) {
    const v = s[key] as Json | undefined;
    if (v === undefined) continue;
    check(problems, Object.keys(v).every((c) => dataColumns.includes(c)), `stats.${key} names only data columns`);
  }
  const nulls = (s.nullCount ?? {}) as Json;
  check(problems, Object.values(nulls).every((n) => isLong(n) && (n as number) <= (s.numRecords as number)), 'stats.nullCount values are Longs up to numRecords');
  return problems;
}

/** `add`: path, partitionValues (one per partition column), size, modificationTime, dataChange required. */
export function addProblems(a: Json, partitionColumns: readonly string[], dataColumns: readonly string[]): string[] {
  const problems: string[] = [];
  check(problems, typeof a.path === 'string' && a.path !== '' && !a.path.startsWith('/') && !a.path.startsWith('_'), 'add.path must be a relative path, not hidden');
  check(problems, typeof a.path === 'string' && !/%(?![0-9A-F]{2})/.test(a.path), 'add.path must be URI-encoded');
  check(problems, isStringMap(a.partitionValues, true), 'add.partitionValues must be Map[String, String]');
  check(problems, JSON.stringify(Object.keys((a.partitionValues ?? {}) as Json).sort()) === JSON.stringify([...partitionColumns].sort()), 'add.partitionValues must hold every partition column');
  check(problems, isLong(a.size) && (a.size as number) > 0, 'add.size must be a Long');
  check(problems, isLong(a.modificationTime), 'add.modificationTime must be a Long');
  check(problems, typeof a.dataChange === 'boolean', 'add.dataChange must be a Boolean');
  if (a.stats !== undefined) problems.push(...statsProblems(a.stats, dataColumns));
  return problems;
}

/** `remove`: path and dataChange required; deletionTimestamp a Long when present. */
export function removeProblems(r: Json): string[] {
  const problems: string[] = [];
  check(problems, typeof r.path === 'string' && r.path !== '', 'remove.path must be a String');
  check(problems, typeof r.dataChange === 'boolean', 'remove.dataChange must be a Boolean');
  check(problems, r.deletionTimestamp === undefined || isLong(r.deletionTimestamp), 'remove.deletionTimestamp must be a Long');
  check(problems, r.extendedFileMetadata !== true || (isStringMap(r.partitionValues, true) && isLong(r.size)), 'remove with extendedFileMetadata carries partitionValues and size');
  return problems;
}

/** `txn`: appId (String) and version (Long) required. */
export function txnProblems(t: Json): string[] {
  const problems: string[] = [];
  check(problems, typeof t.appId === 'string' && t.appId !== '', 'txn.appId must be a String');
  check(problems, isLong(t.version), 'txn.version must be a Long');
  check(problems, t.lastUpdated === undefined || isLong(t.lastUpdated), 'txn.lastUpdated must be a Long');
  return problems;
}

/** `commitInfo`: free-form JSON; the fields this writer records must be well typed. */
export function commitInfoProblems(c: Json): string[] {
  const problems: string[] = [];
  check(problems, isLong(c.timestamp), 'commitInfo.timestamp must be a Long');
  check(problems, typeof c.operation === 'string', 'commitInfo.operation must be a String');
  check(problems, c.operationParameters === undefined || isStringMap(c.operationParameters), 'commitInfo.operationParameters must be Map[String, String]');
  return problems;
}

/** `_last_checkpoint`: version and size required. */
export function lastCheckpointProblems(l: Json): string[] {
  const problems: string[] = [];
  check(problems, isLong(l.version), '_last_checkpoint.version must be a Long');
  check(problems, isLong(l.size), '_last_checkpoint.size must be a Long');
  return problems;
}
