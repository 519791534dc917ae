#!/usr/bin/env node
// The `strata` command. `#main` is the built dist/main.js (package.json "imports"); the workspace's tests
// select the TypeScript source instead with the `@strata/source` condition.
const { main } = await import('#main');
process.exitCode = await main(process.argv.slice(2));
process.exit();
