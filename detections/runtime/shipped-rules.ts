import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The rule pack shipped with fortiems (`detections/rules` at the package root). Found by walking up from this module,
 * because it runs both from the sources (tests) and from `dist/` (the CLI), one folder level apart.
 */
export function shippedRulesPath(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let folder = from; ; folder = dirname(folder)) {
    const candidate = join(folder, 'detections', 'rules');
    if (existsSync(candidate) && existsSync(join(folder, 'package.json'))) return candidate;
    if (dirname(folder) === folder) throw new Error(`the shipped rule pack (detections/rules) was not found above ${from}`);
  }
}
