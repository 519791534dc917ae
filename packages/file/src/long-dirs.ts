/**
 * The directories of long segments (`.strata-long-<sha256>`, key-mapping.ts): their name cannot be decoded, so
 * each holds its segment's text in a `.strata-name` file from the moment it appears (dir-tree.ts `makeDir`
 * renames a prepared directory into place). These helpers remove such a directory once only that file is
 * left, and name it again when it lost the file.
 */
import * as fsp from 'node:fs/promises';
import type { FileCore } from './core.ts';
import { LONG_NAME_FILE, isLongName } from './key-mapping.ts';
import { errnoOf } from './to-storage-error.ts';

/**
 * rmdir of an empty directory; a long segment's directory counts as empty when only its `.strata-name` is
 * left. That name is removed first and written back when the rmdir then fails (a write put something in
 * meanwhile); a crash in between leaves the directory unnamed (skipped by listings, its objects still readable
 * by key) until the next write into it names it again ({@link nameLongDir}). Caller holds the tree mutex.
 */
export async function removeDir(core: FileCore, rel: string): Promise<void> {
  const abs = core.abs(rel);
  if (!isLongName(rel.slice(rel.lastIndexOf('/') + 1))) return fsp.rmdir(abs);
  const names = await fsp.readdir(abs);
  if (names.length !== 1 || names[0] !== LONG_NAME_FILE) throw Object.assign(new Error('directory not empty'), { code: 'ENOTEMPTY' });
  const segment = await fsp.readFile(`${abs}/${LONG_NAME_FILE}`, 'utf8');
  await fsp.unlink(`${abs}/${LONG_NAME_FILE}`);
  try {
    await fsp.rmdir(abs);
  } catch (e) {
    await nameLongDir(core, rel, segment).catch(() => undefined);
    throw e;
  }
}

/** Gives the long segment's directory `rel` its `.strata-name` if it has none (written whole, then linked). */
export async function nameLongDir(core: FileCore, rel: string, segment: string): Promise<void> {
  const tmp = core.stagingPath('n');
  await fsp.writeFile(tmp, segment, 'utf8');
  try {
    await fsp.link(tmp, `${core.abs(rel)}/${LONG_NAME_FILE}`);
  } catch (e) {
    if (errnoOf(e) !== 'EEXIST') throw e;
  } finally {
    await fsp.rm(tmp, { force: true });
  }
}
