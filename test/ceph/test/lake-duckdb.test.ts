/**
 * An independent read of a lake that `@strata/pipelines` wrote on Ceph RGW: DuckDB reads what the writer
 * committed, and the rows must be the rows written. Nothing of ours reads it back — not the S3 adapter, not the
 * package's log reader: the table's objects come out of the bucket with plain SDK calls (ListObjectsV2 and
 * GetObject, what `aws s3 sync` does), the live set is replayed from the copied `_delta_log/*.json` commits
 * following the Delta protocol ("Add File and Remove File": a path is added by `add`, dropped by `remove`,
 * percent-encoded as a URI), and DuckDB reads those Parquet files.
 *
 * Why a copy and not DuckDB over S3: the DuckDB Node package (`@duckdb/node-api`) links `parquet` and `json`
 * statically but not `httpfs`, its S3 reader; `LOAD httpfs` (and any `SET s3_endpoint`, which autoloads it)
 * tries to download the extension from DuckDB's extension server, which machines of this project cannot reach
 * (only the npm and Debian registries are). The files DuckDB reads are byte for byte the objects RGW serves.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { compactTable, createLakeTable } from '@strata/pipelines';
import type { LakeSchema } from '@strata/pipelines';
import { createS3Storage } from '@strata/s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuck, sqlFiles } from '../../../packages/pipelines/test/helpers/duckdb.ts';
import type { Duck } from '../../../packages/pipelines/test/helpers/duckdb.ts';
import { prepareCephTarget } from '../src/ceph-backend.ts';
import type { CephTarget } from '../src/ceph-backend.ts';
import { cephGateway, rawClient } from '../src/ceph.ts';

const TABLE = 'lake/events';
const COMMITS = 3;
const ROWS = 400;
const DAYS = ['2026-11-20', '2026-11-21', '2026-11-22'];

const SCHEMA: LakeSchema = {
  fields: [
    { name: 'dt', type: 'date', nullable: false },
    { name: 'id', type: 'long', nullable: false },
    { name: 'user', type: 'string' },
    { name: 'price', type: 'decimal(12,2)' },
    { name: 'ok', type: 'boolean' },
    { name: 'ts', type: 'timestamp' },
  ],
};

const row = (i: number) => ({
  dt: DAYS[i % DAYS.length] as string,
  id: i,
  user: i % 7 === 0 ? null : `u${i % 13}`,
  price: `${i}.25`,
  ok: i % 3 === 0,
  ts: `2026-11-22T00:00:00.${String(i).padStart(6, '0')}Z`,
});

/** A written row as DuckDB returns it through {@link SELECT_AS_TEXT}. */
const asRead = (i: number) => {
  const r = row(i);
  return { dt: r.dt, id: String(r.id), user: r.user, price: r.price, ok: r.ok, ts: `2026-11-22 00:00:00.${String(i).padStart(6, '0')}+00` };
};

/** Every column as text DuckDB renders exactly (no float or time-zone rounding in the comparison). */
const SELECT_AS_TEXT = `dt::VARCHAR AS dt, id::VARCHAR AS id, "user", price::VARCHAR AS price, ok, strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f') || '+00' AS ts`;

/** Copies every object under `prefix` from the bucket to `dir`, by ListObjectsV2 pages and one GetObject each. */
async function syncDown(client: S3Client, bucket: string, prefix: string, dir: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const { Key } of page.Contents ?? []) {
      if (Key === undefined) continue;
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key }));
      const target = join(dir, Key);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, await (object.Body as NonNullable<typeof object.Body>).transformToByteArray());
      keys.push(Key);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}

/**
 * The live data files of the table copied to `tableDir`: the JSON commits replayed in version order (the file
 * names are zero-padded versions, so name order is version order).
 */
async function liveFilesFromLog(tableDir: string): Promise<string[]> {
  const logDir = join(tableDir, '_delta_log');
  const commits = (await readdir(logDir)).filter((name) => /^\d{20}\.json$/.test(name)).sort();
  const live = new Set<string>();
  for (const name of commits) {
    for (const line of (await readFile(join(logDir, name), 'utf8')).split('\n')) {
      if (line.trim() === '') continue;
      const action = JSON.parse(line) as { add?: { path: string }; remove?: { path: string } };
      if (action.add) live.add(decodeURIComponent(action.add.path));
      if (action.remove) live.delete(decodeURIComponent(action.remove.path));
    }
  }
  return [...live].map((path) => join(tableDir, path));
}

const gateway = cephGateway();
if (gateway !== undefined) {
  describe('a lake written by @strata/pipelines on RGW, read independently by DuckDB', () => {
    let target: CephTarget;
    let client: S3Client;
    let duck: Duck;
    const dirs: string[] = [];

    /** Copies the table out of the bucket; returns its live files and every data file copied. */
    async function readBack(): Promise<{ live: string[]; parquet: string[] }> {
      const dir = await mkdtemp(join(tmpdir(), 'strata-rgw-lake-'));
      dirs.push(dir);
      const keys = await syncDown(client, target.bucket, `${TABLE}/`, dir);
      const parquet = keys.filter((k) => k.endsWith('.parquet') && !k.includes('/_delta_log/'));
      return { live: await liveFilesFromLog(join(dir, TABLE)), parquet };
    }

    const rowsOf = (files: string[]) => duck.query(`SELECT ${SELECT_AS_TEXT} FROM read_parquet(${sqlFiles(files)}) ORDER BY id::BIGINT`);
    const expected = Array.from({ length: COMMITS * ROWS }, (_, i) => asRead(i));

    beforeAll(async () => {
      target = await prepareCephTarget(gateway, 'lake-duckdb');
      client = rawClient(gateway);
      duck = await openDuck();
      const storage = createS3Storage(target);
      try {
        const table = createLakeTable(storage, { table: TABLE, partitionBy: ['dt'], schema: SCHEMA, checkpointInterval: 2 });
        for (let c = 0; c < COMMITS; c++) {
          await table.append(Array.from({ length: ROWS }, (_, i) => row(c * ROWS + i)), { appId: 'etl', txnVersion: c });
        }
      } finally {
        await storage.close();
      }
    });
    afterAll(async () => {
      duck?.close();
      client?.destroy();
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    });

    it('reads back every committed row, exactly as written, from the files the log names', async () => {
      const { live, parquet } = await readBack();
      expect(live).toHaveLength(COMMITS * DAYS.length);
      expect(parquet).toHaveLength(COMMITS * DAYS.length);
      expect(await rowsOf(live)).toEqual(expected);
    });

    it('after compaction the log names only the compacted files, and they hold the same rows', async () => {
      const storage = createS3Storage(target);
      try {
        const table = createLakeTable(storage, { table: TABLE, partitionBy: ['dt'], schema: SCHEMA, checkpointInterval: 2 });
        await compactTable(table);
      } finally {
        await storage.close();
      }
      const { live, parquet } = await readBack();
      expect(live).toHaveLength(DAYS.length);
      // The compacted-away files stay in the bucket until vacuum: only the log tells them apart.
      expect(parquet).toHaveLength(COMMITS * DAYS.length + DAYS.length);
      expect(await rowsOf(live)).toEqual(expected);
    });
  });
}
