#!/usr/bin/env node
// The `strata-block` command. `#cli` is the built dist/cli.js (package.json "imports"); the workspace's tests
// select the TypeScript source instead with the `@strata/source` condition.
const { runCli } = await import('#cli');
process.exitCode = await runCli(process.argv.slice(2));
