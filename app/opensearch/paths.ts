import { join } from 'node:path';
import { stateRoot } from '../managed/paths.js';

export function defaultInstanceDir(name = 'default', env: NodeJS.ProcessEnv = process.env): string {
  return join(stateRoot(env), 'opensearch', name);
}
