#!/usr/bin/env node
// The CLI is compiled by `npm install` (the `prepare` script); this shim only says so when it was skipped.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

// V8 may decide, from one scavenge that happened to find a batch of fresh objects all alive, to allocate that site's
// objects straight in the old generation from then on. For a pipeline whose per-line objects die a batch later, that
// decision (taken in some runs, not others: 80 sites tenured against 6–10) made `fortiems parse` run at one of two speeds
// (~1.6× the CPU, 8 full collections instead of 2, 240 MiB RSS instead of 140). Set before anything runs: V8 reads the
// flag at each decision.
v8.setFlagsFromString('--no-allocation-site-pretenuring');

const entry = new URL('../dist/app/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('fortiems is not built yet: run `npm run build` (or `npm install`) in the project folder.\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
