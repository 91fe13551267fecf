#!/usr/bin/env node
// The CLI is compiled by `npm install` (the `prepare` script); this shim only says so when it was skipped.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/app/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('fortiems is not built yet: run `npm run build` (or `npm install`) in the project folder.\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
