import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { defaultLogSettings, type LogSettings, parseSettings } from './settings.js';

/** Log settings persisted in a JSON file; written atomically (temp file, then rename) so a crash never leaves half a file. */
export class SettingsFile {
  constructor(readonly path: string) {}

  load(): LogSettings {
    if (!existsSync(this.path)) return defaultLogSettings();
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (error) {
      throw new Error(`log settings file ${this.path} is not valid JSON: ${(error as Error).message}`);
    }
    return parseSettings(raw);
  }

  save(settings: LogSettings): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.path);
  }
}
