import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ActionableError } from '../../platform/errors.js';

/** What one managed server (OpenSearch, Kafka) gives the error tests every managed server must pass. */
export interface ManagedServerErrorCase {
  /** In the test names and temporary folders: `node`, `broker`. */
  name: string;
  start(options: { instanceDir: string; port: number; heap?: string }): Promise<unknown>;
  /** A heap that makes this server's JVM exit during start-up. */
  failingHeap: { heap: string; why: string };
  /** Live processes of this server whose command line or environment names the folder. */
  processesUsing(instanceDir: string): number[];
  /** A fetch of a version Maven cannot resolve, into an empty cache. */
  fetchUnknownVersion(cacheDir: string): Promise<unknown>;
  unfetchable: { message: RegExp; fix: RegExp };
}

async function errorOf(attempt: Promise<unknown>): Promise<ActionableError> {
  const error = await attempt.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ActionableError);
  return error as ActionableError;
}

async function inScratch(prefix: string, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A busy port, a JVM that exits during start-up, a version Maven cannot fetch: each an ActionableError naming the fix. */
export function describeManagedServerErrors(server: ManagedServerErrorCase): void {
  describe(`managed ${server.name} errors name the fix`, () => {
    it('a busy port', async () => {
      const blocker: Server = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const port = (blocker.address() as { port: number }).port;
      try {
        await inScratch(`fortiems-it-${server.name}-busy-`, async (instanceDir) => {
          const error = await errorOf(server.start({ instanceDir, port }));
          expect(error.message).toContain(`port ${port}`);
          expect(error.fix).toMatch(/--port/);
        });
      } finally {
        blocker.close();
      }
    });

    it(`a start-up failure (${server.failingHeap.why}), with the tail of the server's own output`, async () => {
      await inScratch(`fortiems-it-${server.name}-fail-`, async (instanceDir) => {
        const error = await errorOf(server.start({ instanceDir, port: 0, heap: server.failingHeap.heap }));
        expect(error.message).toMatch(/exited during start-up/);
        expect(error.details).toMatch(/console\.log/);
        expect(error.details).toMatch(/heap|memory|reserve/i);
        expect(server.processesUsing(instanceDir)).toEqual([]);
      });
    });

    it('a version Maven cannot fetch', async () => {
      await inScratch(`fortiems-it-${server.name}-cache-`, async (cacheDir) => {
        const error = await errorOf(server.fetchUnknownVersion(cacheDir));
        expect(error.message).toMatch(server.unfetchable.message);
        expect(error.fix).toMatch(server.unfetchable.fix);
      });
    });
  });
}
