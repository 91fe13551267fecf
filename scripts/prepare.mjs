// `npm install` builds dist/ (the `prepare` script). A production install (`npm ci --omit=dev`) has no TypeScript:
// it runs the dist/ that came with the package or was built before, so there is nothing to build and no reason to fail.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

try {
  createRequire(import.meta.url).resolve('typescript');
} catch {
  process.stderr.write('fortiems: TypeScript is not installed (a production install): using the prebuilt dist/\n');
  process.exit(0);
}
const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
process.exit(build.status ?? 1);
