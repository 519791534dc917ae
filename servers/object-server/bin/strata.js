#!/usr/bin/env node
// The `strata` command: registers tsx's loader (packages ship TypeScript source) and runs src/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
process.exit();
