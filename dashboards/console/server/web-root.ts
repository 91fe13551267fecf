import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The built web part: next to this file once compiled (`dist/dashboards/console/web/`); when this file runs from
 * source (tests), the repository's `dist/` copy, which `npm run build` writes.
 */
export function defaultWebRoot(): string {
  const besideUs = fileURLToPath(new URL('../web/', import.meta.url));
  if (existsSync(join(besideUs, 'index.html'))) return besideUs;
  return fileURLToPath(new URL('../../../dist/dashboards/console/web/', import.meta.url));
}

/** uPlot's browser files, served from the installed package (no copy to keep in sync). */
export function uplotDistDir(): string {
  return dirname(createRequire(import.meta.url).resolve('uplot'));
}
