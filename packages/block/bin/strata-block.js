#!/usr/bin/env node
// The package ships TypeScript source; tsx loads it (as the object server's `strata` command does).
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
