/**
 * DuckDB (`@duckdb/node-api`, prebuilt binaries from npm, no network at run time) as the outside engine that
 * judges the lake: a table is copied out of any Storage into a temp directory, as a user would copy it out of
 * a bucket, and DuckDB reads its Parquet files there. DuckDB's `delta` extension is downloaded at run time, so
 * the live set comes from this package's own log reader and DuckDB reads those files by list.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Storage } from '@strata/storage';
import { readStream } from '../../src/internal/streams.ts';

/** A DuckDB connection with a JSON-row query helper. */
export interface Duck {
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  close(): void;
}

/** Opens an in-memory DuckDB. */
export async function openDuck(): Promise<Duck> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection: DuckDBConnection = await instance.connect();
  return {
    async query<T>(sql: string) {
      return (await connection.runAndReadAll(sql)).getRowObjectsJson() as T[];
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** A SQL string literal. */
export const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** A SQL list of file paths for `read_parquet([...])`. */
export const sqlFiles = (paths: readonly string[]): string => `[${paths.map(sqlString).join(', ')}]`;

/** Copies every object under `prefix` to a fresh temp directory; returns it and its remover. */
export async function copyOut(storage: Storage, prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-lake-'));
  let cursor: string | undefined;
  do {
    const page = await storage.list({ prefix, cursor });
    for (const item of page.items) {
      const target = join(dir, item.key);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, await readStream((await storage.get(item.key)).body));
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
