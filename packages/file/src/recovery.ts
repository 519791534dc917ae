/**
 * Recovery at open: finishes the conversions a crash interrupted, then empties the staging area (staged files
 * of writes that were never published, and their metadata files' temporaries).
 *
 * A conversion turns the object file `a/b` into the directory `a/b` holding it as `.strata-self` (dir-tree.ts
 * `#convert`). It first writes a note `conv-<n>.json` naming the directory (relative path and key segment),
 * then hard-links the object file as `conv-<n>` in staging, unlinks it, makes the directory and renames the
 * link into it. After a crash anywhere in between, recovery finds the link and puts it in its place. A link
 * left by an earlier version has no note: its target is the key in its `#strata1` header.
 */
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import fse from 'fs-extra';
import type { FileCore } from './core.ts';
import { parentOf } from './dir-tree.ts';
import { SELF_NAME, STAGING_DIR, UPLOADS_DIR, keyToPath } from './key-mapping.ts';
import { headerLength, parseHeader } from './metadata.ts';
import { errnoOf } from './to-storage-error.ts';

/** What recovery needs to finish a conversion: the directory's relative path and its key segment. */
export interface ConversionNote {
  rel: string;
  segment: string;
}

/** Writes the note of the conversion whose staging link will be `record` (whole, fsynced under `always`). */
export async function writeConversionNote(core: FileCore, record: string, note: ConversionNote): Promise<void> {
  const fh = await core.open(`${record}.json`, 'wx', 0o644);
  try {
    await fh.writeFile(JSON.stringify(note), 'utf8');
    if (core.durable) await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Finishes interrupted conversions, then empties the staging area. */
export async function recoverRoot(core: FileCore): Promise<void> {
  // A symlink (or file) planted under a reserved name is removed, never followed: emptying the staging
  // area through a link would delete files outside the root.
  for (const name of [STAGING_DIR, UPLOADS_DIR]) {
    const st = await fsp.lstat(core.abs(name)).catch(() => undefined);
    if (st && !st.isDirectory()) await fsp.rm(core.abs(name), { force: true });
  }
  await fse.ensureDir(core.staging);
  for (const name of await fsp.readdir(core.staging)) {
    if (name.startsWith('conv-') && !name.endsWith('.json')) await finishConversion(core, join(core.staging, name)).catch(() => undefined);
  }
  await fse.emptyDir(core.staging);
  await core.syncDir(STAGING_DIR);
}

async function finishConversion(core: FileCore, record: string): Promise<void> {
  const note = await conversionNote(core, record);
  if (!note) return;
  const { rel, segment } = note;
  const target = core.abs(rel);
  const st = await fsp.lstat(target).catch(() => undefined);
  if (st?.isFile()) return; // the unlink never happened: the object is still in place.
  if (!st) await core.tree.makeDir(rel, rel.slice(rel.lastIndexOf('/') + 1), segment);
  else if (!st.isDirectory()) return;
  try {
    await fsp.link(record, `${target}/${SELF_NAME}`);
  } catch (e) {
    if (errnoOf(e) !== 'EEXIST') throw e;
  }
  await core.syncDir(rel);
  await core.syncDir(parentOf(rel));
}

/** The target of an interrupted conversion: its note, or the key in the header of an old-format object. */
async function conversionNote(core: FileCore, record: string): Promise<ConversionNote | undefined> {
  const text = await fsp.readFile(`${record}.json`, 'utf8').catch(() => undefined);
  if (text !== undefined) return JSON.parse(text) as ConversionNote;
  const fh = await core.openRead(record);
  try {
    const buf = Buffer.allocUnsafe(1 << 16);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const off = headerLength(buf, bytesRead);
    if (off === undefined || off > bytesRead) return undefined;
    const key = parseHeader(buf, off).key;
    const kp = keyToPath(key);
    return kp.hashed ? undefined : { rel: kp.rel, segment: key.split('/').pop() as string };
  } finally {
    await fh.close();
  }
}
