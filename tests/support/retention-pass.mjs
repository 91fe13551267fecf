/**
 * One retention pass in a process of its own, for the test that two fortiems processes never both act: the built
 * retention module (dist/), the clock moved `days` ahead, started at `startAt` (ms since the epoch) so that the passes of
 * two processes begin together. Prints the pass's report as one JSON line.
 *
 *   node retention-pass.mjs URL NAMESPACE HOLDER DAYS START_AT
 */

import { runRetention } from '../../dist/ingest/sinks/search/retention/retention.js';
import { createOpenSearchClient } from '../../dist/platform/opensearch/client.js';

const [url, namespace, holder, days, startAt] = process.argv.slice(2);
const client = createOpenSearchClient({ url });
const settings = { namespace, retentionDays: 30, rolloverMaxAge: '1d', rolloverMaxSize: '25gb', leaseSeconds: 300 };
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
const report = await runRetention(client, settings, { holder, now: () => Date.now() + Number(days) * 86_400_000 });
await client.close();
process.stdout.write(`${JSON.stringify(report)}\n`);
