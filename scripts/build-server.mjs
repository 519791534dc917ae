#!/usr/bin/env node
/**
 * Production bundle of the object server: bundles `servers/object-server/src/main.ts` with the workspace
 * packages it imports (`@strata/storage`, `@strata/file`, `@strata/block`, `@strata/s3`) and their dependencies
 * (fastify, fast-xml-parser, fs-extra, the AWS SDK) into one ES module,
 * `servers/object-server/dist/strata.mjs`, that plain `node` runs; native add-ons' `.node` files are copied
 * beside it. `pnpm start`, the benchmarks and the Docker image run it.
 *
 * Why a bundle besides the packages' own builds (`pnpm build`, tsc into each `dist/`): one file loads faster
 * than a few hundred modules, needs no node_modules at run time (the Docker image holds this file and the `.node`
 * files only), and is rebuilt from the sources in about a second — esbuild resolves the
 * workspace packages through their `@strata/source` export condition, so `pnpm start` never runs a stale
 * `dist/`. The packed `strata` bin runs the tsc build instead (it is an ordinary package with dependencies).
 *
 * The output is deterministic (no timestamps, no absolute paths: esbuild writes paths relative to the working
 * directory, which is pinned to the repository root) and not minified, so stack traces stay readable. Node
 * builtins stay external (see `NATIVE` below for add-ons that must too). The package's version is built in
 * (`strata --version`, the console), so the bundle runs from any directory. `dist/` is gitignored and the
 * bundle is rebuilt by every `pnpm start`.
 *
 * Usage: `node scripts/build-server.mjs [--quiet] [--outfile=PATH]` (tests build into a temp dir, so a bench
 * running at the same time never starts a half-written bundle).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const server = join(root, 'servers', 'object-server');
const outArg = process.argv.find((a) => a.startsWith('--outfile='));
const outfile = outArg ? resolve(outArg.slice('--outfile='.length)) : join(server, 'dist', 'strata.mjs');
const { version } = JSON.parse(readFileSync(join(server, 'package.json'), 'utf8'));

/**
 * Dependencies with native add-ons whose loader esbuild cannot follow; list them here to keep them external
 * (they must then be installed beside the bundle). Add-ons loaded by a plain `require` of their `.node` file
 * (`@napi-rs/xattr`, through the file adapter) are bundled instead: the `.node` file is copied next to the
 * bundle and required from there.
 */
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
  // The workspace packages' TypeScript sources, not their dist/ builds (which may be stale or absent).
  conditions: ['@strata/source'],
  external: NATIVE,
  loader: { '.node': 'copy' },
  // Bundled CommonJS (fastify and its dependencies, native add-on loaders) calls `require` for node builtins and
  // `.node` files, and reads `__filename`/`__dirname`; an ES module has none of them. `define` points the free
  // `__filename`/`__dirname` at the bundle's own (names no bundled module declares, unlike the plain ones).
  banner: {
    js: [
      "import { createRequire as __strataCreateRequire } from 'node:module';",
      "import { dirname as __strataPathDirname } from 'node:path';",
      "import { fileURLToPath as __strataFileURLToPath } from 'node:url';",
      'const require = __strataCreateRequire(import.meta.url);',
      'const __strataFilename = __strataFileURLToPath(import.meta.url);',
      'const __strataDirname = __strataPathDirname(__strataFilename);',
    ].join('\n'),
  },
  define: {
    __filename: '__strataFilename',
    __dirname: '__strataDirname',
    // `strata --version` without a package.json beside the bundle (servers/object-server/src/cli.ts).
    STRATA_BUNDLED_VERSION: JSON.stringify(version),
  },
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
