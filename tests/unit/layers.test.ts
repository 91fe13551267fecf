import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const depcruise = join(root, 'node_modules', '.bin', 'depcruise');
const config = join(root, '.dependency-cruiser.cjs');

/** Runs the layer check (what `npm run lint:layers` runs) over the given folders of `cwd`. */
function checkLayers(cwd: string, folders: string[]) {
  const run = spawnSync(depcruise, ['--config', config, ...folders], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the layer rules (.dependency-cruiser.cjs)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'fortiems-layers-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  function tree(files: Record<string, string>): string {
    const dir = mkdtempSync(join(scratch, 'tree-'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  }

  it('hold on the source tree', () => {
    const result = checkLayers(root, [
      'mappings',
      'platform',
      'syslog',
      'parsers',
      'ems-core',
      'ingest',
      'detections',
      'dashboards',
      'app',
    ]);
    expect(result.output).toContain('no dependency violations found');
    expect(result.status).toBe(0);
  });

  it('refuse an upward import (platform → app), an import of the tests and a cycle', () => {
    const dir = tree({
      'app/cli.ts': "export const cli = 'cli';\n",
      'platform/log.ts': "import { cli } from '../app/cli.js';\nexport const log = cli;\n",
      'ingest/uses-tests.ts': "import { helper } from '../tests/support/helper.js';\nexport const x = helper;\n",
      'tests/support/helper.ts': 'export const helper = 1;\n',
      'parsers/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'parsers/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
    });
    const result = checkLayers(dir, ['app', 'platform', 'ingest', 'parsers']);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('layer-platform: platform/log.ts → app/cli.ts');
    expect(result.output).toContain('no-tests-in-source: ingest/uses-tests.ts → tests/support/helper.ts');
    expect(result.output).toMatch(/no-cycles: parsers\/(a|b)\.ts/);
  });

  it('allow the downward arrows (app → ingest → parsers → mappings)', () => {
    const dir = tree({
      'mappings/catalogue.ts': 'export const catalogue = 1;\n',
      'parsers/parse.ts': "import { catalogue } from '../mappings/catalogue.js';\nexport const parse = catalogue;\n",
      'ingest/pipeline.ts': "import { parse } from '../parsers/parse.js';\nexport const pipeline = parse;\n",
      'app/main.ts': "import { pipeline } from '../ingest/pipeline.js';\nexport const main = pipeline;\n",
    });
    const result = checkLayers(dir, ['mappings', 'parsers', 'ingest', 'app']);
    expect(result.output).toContain('no dependency violations found');
    expect(result.status).toBe(0);
  });
});
