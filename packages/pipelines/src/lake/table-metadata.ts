/**
 * The actions that create a table (PROTOCOL.md, "Change Metadata", "Protocol Evolution"): `metaData` with a
 * fresh GUID, `format.provider` `parquet`, the schema as `schemaString`, the partition columns and the table
 * properties (`delta.checkpointInterval` always, so other writers checkpoint at the same pace), and the
 * lowest `protocol` those need (`delta/protocol.ts`).
 */
import { randomUUID } from 'node:crypto';
import type { MetadataAction, ProtocolAction } from './delta/actions.ts';
import { requiredProtocol } from './delta/protocol.ts';
import { DEFAULT_CHECKPOINT_INTERVAL } from './commit.ts';
import { schemaToString } from './schema/types.ts';
import type { LakeSchema } from './schema/types.ts';

/** Table settings recorded when a table is created. */
export interface NewTableSettings {
  /** `delta.checkpointInterval`. @default 10 */
  checkpointInterval?: number;
  /** Further table properties. */
  configuration?: Record<string, string>;
  /** `metaData.name`. */
  name?: string;
}

/** The `protocol` and `metaData` actions that create a table. */
export function newTableActions(schema: LakeSchema, settings: NewTableSettings, partitionBy: readonly string[]): { protocol: ProtocolAction; metaData: MetadataAction } {
  const configuration = { 'delta.checkpointInterval': String(settings.checkpointInterval ?? DEFAULT_CHECKPOINT_INTERVAL), ...settings.configuration };
  const metaData: MetadataAction = {
    id: randomUUID(),
    ...(settings.name === undefined ? {} : { name: settings.name }),
    format: { provider: 'parquet', options: {} },
    schemaString: schemaToString(schema),
    partitionColumns: [...partitionBy],
    createdTime: Date.now(),
    configuration,
  };
  return { protocol: requiredProtocol(schema, configuration), metaData };
}
