/**
 * The system tools some test groups need (Debian packages: the aws CLI, rclone, s3cmd, redis-server, wrk,
 * chromium, python3 with boto3, Ceph), found in one place.
 *
 * Locally a group whose tool is missing is skipped, and why is recorded: `pnpm test` (scripts/test.mjs) lists
 * every skipped group with its reason at the end of the run. With `CI` set nothing is skipped — `.ci/run`
 * installs every tool first, so a missing one is a broken machine: the group runs and fails.
 *
 * Tests import this module as `#system-tools` (an alias in vitest.config.ts and a path in tsconfig.json), so a
 * package's tests use it without depending on another workspace package.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, appendFileSync, constants } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { expect } from 'vitest';

/** How a tool is found, and the Debian package that provides it. */
interface ToolSpec {
  /** The tool's path (for boto3: a python3 that imports it), or undefined. */
  find(): string | undefined;
  /** The Debian package to install. */
  debian: string;
}

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};
/** The first executable `name` on PATH, as `command -v` finds it. */
const onPath = (name: string) =>
  (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name)).find(isExecutable);
/** `path` when it is executable: the interop tests pin Debian's builds, not whatever else is on PATH. */
const at = (path: string) => (isExecutable(path) ? path : undefined);
/** A command as the environment may name it (a path, or a name looked up on PATH), else `fallback` on PATH. */
const named = (command: string | undefined, fallback: string) =>
  command === undefined || command === '' ? onPath(fallback) : command.includes('/') ? at(command) : onPath(command);
const importsBoto3 = (python: string) => spawnSync(python, ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0;

/** Every tool a test group may need. */
export const SYSTEM_TOOLS = {
  aws: { find: () => at('/usr/bin/aws'), debian: 'awscli' },
  rclone: { find: () => at('/usr/bin/rclone'), debian: 'rclone' },
  s3cmd: { find: () => at('/usr/bin/s3cmd'), debian: 's3cmd' },
  // REDIS_SERVER overrides the binary, as packages/pipelines/test/helpers/redis.ts reads it.
  'redis-server': { find: () => named(process.env.REDIS_SERVER, 'redis-server'), debian: 'redis-server' },
  wrk: { find: () => onPath('wrk'), debian: 'wrk' },
  chromium: { find: () => at('/usr/bin/chromium'), debian: 'chromium' },
  // The machine's own python3 (a recent botocore) first, then Debian's (python3-boto3).
  boto3: { find: () => [process.env.STRATA_PYTHON ?? 'python3', '/usr/bin/python3'].find(importsBoto3), debian: 'python3-boto3' },
  // A single-node cluster needs every daemon and both admin tools (scripts/ceph/cluster.mjs starts it).
  ceph: {
    find: () => (['ceph-mon', 'ceph-mgr', 'ceph-osd', 'radosgw-admin', 'ceph'].every((t) => onPath(t) !== undefined) ? onPath('radosgw') : undefined),
    debian: 'ceph-mon ceph-osd ceph-mgr radosgw ceph-common',
  },
} satisfies Record<string, ToolSpec>;

/** A tool named in {@link SYSTEM_TOOLS}. */
export type SystemTool = keyof typeof SYSTEM_TOOLS;

const found = new Map<SystemTool, string | undefined>();

/** The tool's path (for `boto3`: a python3 that imports it), or undefined when it is missing. */
export function findTool(tool: SystemTool): string | undefined {
  if (!found.has(tool)) found.set(tool, SYSTEM_TOOLS[tool].find());
  return found.get(tool);
}

/** Whether `CI` is set: then a missing tool fails its tests instead of skipping them. */
export const inCI = (): boolean => !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());

/**
 * Whether the calling test group must be skipped for want of `tool`: true when the tool is missing and `CI` is
 * not set, and the skip is then recorded (test file, tool, reason) in the file `STRATA_SKIP_LOG` names, which
 * scripts/test.mjs sets and reads. Call it where the group is declared:
 * `describe.skipIf(skipWithout('rclone'))('rclone', …)`.
 */
export function skipWithout(tool: SystemTool): boolean {
  if (findTool(tool) !== undefined || inCI()) return false;
  const log = process.env.STRATA_SKIP_LOG;
  if (log) {
    const testPath = expect.getState().testPath;
    const file = testPath === undefined ? '(unknown test file)' : relative(process.cwd(), testPath);
    const reason = `${tool} not found (Debian package ${SYSTEM_TOOLS[tool].debian})`;
    appendFileSync(log, `${JSON.stringify({ file, tool, reason })}\n`);
  }
  return true;
}
