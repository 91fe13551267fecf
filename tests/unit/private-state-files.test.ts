/**
 * State that holds log data or secrets is private whatever the umask: folders 0700, files 0600. Each test runs under
 * umask 000, where a file created without an explicit mode would be 0666 and a folder 0777. (The disk spool's own test
 * is in buffers-disk-spool.test.ts.)
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consolePassword } from '../../app/service/console-credentials.js';
import { DetectionScheduler } from '../../detections/runtime/scheduler.js';
import { appendDeadLetters } from '../../ingest/forward/dead-letter-file.js';
import { silentLogger } from '../../platform/logging/logger.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { ensureSelfSignedCertificate } from '../../platform/tls/self-signed.js';
import { type FakeJsonServer, startFakeJsonServer } from '../support/fake-json-server.js';

const scratch = mkdtempSync(join(tmpdir(), 'fortiems-private-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let previousUmask = 0;
beforeEach(() => {
  previousUmask = process.umask(0o000);
});
afterEach(() => {
  process.umask(previousUmask);
});

const mode = (path: string) => statSync(path).mode & 0o777;
let count = 0;
const fresh = (name: string) => join(scratch, `${name}-${++count}`);

describe('private state files under umask 000', () => {
  it('dead-letter files: the folder 0700, the file 0600, appended to as it grows', async () => {
    const data = fresh('data');
    const file = join(data, 'dead-letter', 'siem.ndjson');
    const letter = { record: { seq: 1, payload: Buffer.from('x'), bytes: 1 }, errorType: 'too_large', error: 'too large', attempts: 1 };
    await appendDeadLetters(file, [letter]);
    await appendDeadLetters(file, [letter]);
    expect(mode(data)).toBe(0o700);
    expect(mode(join(data, 'dead-letter'))).toBe(0o700);
    expect(mode(file)).toBe(0o600);
  });

  it('the generated TLS key and certificate: the folder 0700, both files 0600', async () => {
    const dir = join(fresh('data'), 'tls');
    const pair = await ensureSelfSignedCertificate(dir);
    expect(pair.created).toBe(true);
    expect(mode(dir)).toBe(0o700);
    expect(mode(pair.keyFile)).toBe(0o600);
    expect(mode(pair.certFile)).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual([pair.certFile, pair.keyFile].map((path) => path.slice(dir.length + 1)).sort());
  });

  it('the console password file: the folder 0700, the file 0600', () => {
    const data = fresh('data');
    const { file, generated } = consolePassword(undefined, data);
    expect(generated).toBe(true);
    expect(mode(data)).toBe(0o700);
    expect(mode(file as string)).toBe(0o600);
  });

  describe('the detection cursors', () => {
    let opensearch: FakeJsonServer | undefined;
    afterEach(async () => opensearch?.close());

    it('state file 0600 in a 0700 folder', async () => {
      opensearch = await startFakeJsonServer(() => ({ body: { hits: { hits: [] }, responses: [] } }));
      const statePath = join(fresh('data'), 'detections', 'state-default.json');
      const client = createOpenSearchClient({ url: opensearch.url });
      const scheduler = new DetectionScheduler({
        client,
        rules: { plain: [], correlations: [], refused: [], skipped: [] },
        rulesRoot: scratch,
        namespace: 'default',
        alertsIndex: 'fortiems-alerts-default',
        intervalMs: 60_000,
        lookbackMs: 60_000,
        timeField: '@timestamp',
        maxAlertsPerRun: 10,
        outputs: [],
        registry: new MetricsRegistry(),
        logger: silentLogger(),
        statePath,
      });
      try {
        await scheduler.runOnce();
      } finally {
        await scheduler.stop();
      }
      expect(mode(join(statePath, '..'))).toBe(0o700);
      expect(mode(statePath)).toBe(0o600);
    });
  });
});
