// Export benchmark: N runs with node executions from the simulator (in its own process) at an injected
// latency and concurrency. Prints one JSON object: runs/s, requests/s, the ideal bound, peak RSS.
// Usage: node bench/export-bench.mjs [--runs 20000] [--latency 20] [--concurrency 16] [--with-details] [--format ndjson]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createAtomicFileWriter, createDifyClient, exportRuns } from '@dify-logs/core';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20000' },
    latency: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '16' },
    'with-details': { type: 'boolean', default: false },
    format: { type: 'string', default: 'ndjson' },
  },
});
const runs = Number(values.runs);
const latencyMs = Number(values.latency);
const concurrency = Number(values.concurrency);

const simBin = join(import.meta.dirname, '../../dify-sim/dist/bin.js');
const sim = spawn(process.execPath, [simBin, '--port', '0', '--runs', String(runs), '--latency', String(latencyMs), '--admin-key', 'bench-admin-key'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const info = await new Promise((resolve, reject) => {
  const lines = createInterface({ input: sim.stdout });
  lines.once('line', (line) => resolve(JSON.parse(line)));
  sim.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
});
const app = info.apps.find((candidate) => candidate.mode === 'workflow');
const client = createDifyClient({ baseUrl: info.url, admin: { apiKey: 'bench-admin-key', workspaceId: info.workspaceId }, appId: app.id });

const dir = mkdtempSync(join(tmpdir(), 'dify-logs-bench-'));
const out = join(dir, `runs.${values.format}`);
const writer = await createAtomicFileWriter(out);
const baselineRss = process.memoryUsage().rss;
let peakRss = baselineRss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);
let listRequests = 0;
const started = performance.now();
let exported = 0;
let failures = 0;
for await (const record of exportRuns(client, {
  appId: app.id,
  withNodeExecutions: true,
  withDetails: values['with-details'],
  concurrency,
  onProgress: (progress) => {
    listRequests = progress.pages;
  },
})) {
  exported += 1;
  if (record.enrichmentError) failures += 1;
  await writer.write(`${JSON.stringify(record)}\n`);
}
await writer.commit();
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const requests = client.stats().requests;
const enrichmentRequests = requests - listRequests;
const idealRequestsPerSecond = concurrency / (latencyMs / 1000);
const result = {
  runs: exported,
  enrichmentFailures: failures,
  latencyMs,
  concurrency,
  withDetails: values['with-details'],
  seconds: round(seconds),
  runsPerSecond: round(exported / seconds),
  requestsPerSecond: round(requests / seconds),
  enrichmentRequestsPerSecond: round(enrichmentRequests / seconds),
  idealRequestsPerSecond,
  efficiency: round(enrichmentRequests / seconds / idealRequestsPerSecond),
  listRequests,
  outputBytes: statSync(out).size,
  peakRssMB: round(peakRss / 2 ** 20),
  baselineRssMB: round(baselineRss / 2 ** 20),
  node: process.version,
};
console.log(JSON.stringify(result));
rmSync(dir, { recursive: true, force: true });
sim.kill('SIGTERM');

function round(value) {
  return Math.round(value * 100) / 100;
}
