/**
 * The command-line side of the bootstrap (bootstrap.ts): `--bucket NAME` (repeatable; STRATA_BUCKETS,
 * comma-separated) and `--config FILE` (STRATA_CONFIG), read and validated when the arguments are parsed so a
 * mistake stops `serve` before it opens any storage.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BootstrapError, parseBootstrap, type BootstrapConfig } from './bootstrap.ts';

/** The parseArgs options of the bootstrap flags. */
export const BOOTSTRAP_ARG_OPTIONS = {
  bucket: { type: 'string', multiple: true },
  config: { type: 'string' },
} as const;

/** The usage lines of the bootstrap flags. */
export const BOOTSTRAP_USAGE = `  --bucket NAME         create the bucket at start if missing, repeatable [STRATA_BUCKETS, comma-separated]
  --config FILE         YAML file of buckets, users, access keys and policies applied at start [STRATA_CONFIG]`;

/**
 * The bootstrap the flags and environment declare, undefined when none, or a message saying what is wrong.
 * A relative `--config` path is resolved against `cwd`.
 */
export function parseBootstrapOptions(values: { bucket?: string[] | undefined; config?: string | undefined }, env: NodeJS.ProcessEnv, cwd: string): BootstrapConfig | undefined | string {
  const buckets = values.bucket ?? (env.STRATA_BUCKETS ? env.STRATA_BUCKETS.split(',').map((b) => b.trim()).filter(Boolean) : []);
  const file = values.config ?? env.STRATA_CONFIG;
  if (file === undefined && buckets.length === 0) return undefined;
  let text = '';
  if (file !== undefined) {
    try {
      text = readFileSync(resolve(cwd, file), 'utf8');
    } catch (e) {
      return `cannot read --config ${file}: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  try {
    return { ...parseBootstrap(text, buckets), ...(file !== undefined ? { source: file } : {}) };
  } catch (e) {
    if (e instanceof BootstrapError) return `${file ?? '--bucket'}: ${e.message}`;
    throw e;
  }
}
