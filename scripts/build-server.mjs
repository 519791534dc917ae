#!/usr/bin/env node
/**
 * Production build of the object server: bundles `servers/object-server/src/main.ts` with the workspace
 * packages it imports (`@strata/storage`, `@strata/file`, `@strata/block`) and their pure-JS dependencies
 * (fastify, fast-xml-parser, fs-extra, xxhash-wasm) into one ES module, `servers/object-server/dist/strata.mjs`,
 * that plain `node` runs.
 *
 * Why: packages ship TypeScript source, and running it through tsx's loader costs ~35 MB of resident memory
 * (a loader worker thread plus esbuild's service) and a module-resolution round trip per lazy import — in a
 * server whose memory goal is < 150 MB during a 2 GiB upload (issue 5). Tests and `bin/strata.js` keep
 * running the source through tsx; `pnpm start` and the benchmarks run this bundle.
 *
 * The output is deterministic (no timestamps, no absolute paths: esbuild writes paths relative to the working
 * directory, which is pinned to the repository root) and not minified, so stack traces stay readable. Node
 * builtins stay external; so would any dependency with native parts (there is none today — the `NATIVE` list
 * below is where one would go). `dist/` is gitignored and rebuilt by every `pnpm start` (≈ 0.2 s).
 *
 * Usage: `node scripts/build-server.mjs [--quiet] [--outfile=PATH]` (tests build into a temp dir, so a bench
 * running at the same time never starts a half-written bundle).
 */
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const server = join(root, 'servers', 'object-server');
const outArg = process.argv.find((a) => a.startsWith('--outfile='));
const outfile = outArg ? resolve(outArg.slice('--outfile='.length)) : join(server, 'dist', 'strata.mjs');

/** Dependencies with native add-ons (`.node` files) cannot be bundled; list them here to keep them external. */
const NATIVE = [];

const result = await build({
  absWorkingDir: root,
  entryPoints: [join(server, 'src', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'bundle',
  external: NATIVE,
  // Bundled CommonJS (fastify and its dependencies) calls `require` for node builtins; an ES module has none.
  banner: { js: "import { createRequire as __strataCreateRequire } from 'node:module';\nconst require = __strataCreateRequire(import.meta.url);" },
  legalComments: 'none',
  sourcemap: false,
  minify: false,
  treeShaking: true,
  logLevel: 'warning',
  metafile: true,
});

if (!process.argv.includes('--quiet')) {
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  console.log(`built ${relative(process.cwd(), outfile) || outfile} (${(bytes / 1024).toFixed(0)} KiB)`);
}
