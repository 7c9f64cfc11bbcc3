// Export benchmark: N runs with node executions from the simulator (in its own process) at an injected
// latency and concurrency. Prints one JSON object: runs/s, requests/s, the ideal bound, peak RSS.
// Usage: node bench/export-bench.mjs [--runs 20000] [--latency 20] [--concurrency 16] [--with-details] [--format
// ndjson]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createDifyClient, exportRuns } from '@dify-logs/core';
import { createAtomicFileWriter } from '@dify-logs/core/adapter-kit';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20000' },
    latency: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '16' },
    'with-details': { type: 'boolean', default: false },
    format: { type: 'string', default: 'ndjson' },
    trace: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const latencyMs = Number(values.latency);
const concurrency = Number(values.concurrency);

const simBin = join(import.meta.dirname, '../../dify-sim/dist/bin.js');
const sim = spawn(
  process.execPath,
  [simBin, '--port', '0', '--runs', String(runs), '--latency', String(latencyMs), '--admin-key', 'bench-admin-key'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const info = await new Promise((resolve, reject) => {
  const lines = createInterface({ input: sim.stdout });
  lines.once('line', (line) => resolve(JSON.parse(line)));
  sim.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
});
const app = info.apps.find((candidate) => candidate.mode === 'workflow');
const durations = [];
/** Times each request until its headers arrive: what Dify's latency plus the client's own queueing cost. */
const timedFetch = async (input, init) => {
  const started = performance.now();
  const response = await fetch(input, init);
  durations.push(performance.now() - started);
  return response;
};
const client = createDifyClient({
  baseUrl: info.url,
  admin: { apiKey: 'bench-admin-key', workspaceId: info.workspaceId },
  appId: app.id,
  fetch: timedFetch,
});

const dir = mkdtempSync(join(tmpdir(), 'dify-logs-bench-'));
const out = join(dir, `runs.${values.format}`);
const writer = await createAtomicFileWriter(out);
const baselineRss = process.memoryUsage().rss;
let peakRss = baselineRss;
let peakHeap = 0;
const sampler = setInterval(() => {
  const usage = process.memoryUsage();
  peakRss = Math.max(peakRss, usage.rss);
  peakHeap = Math.max(peakHeap, usage.heapUsed);
}, 50);
let listRequests = 0;
let exported = 0;
let traceFrom = { at: performance.now(), count: 0, requests: 0 };
// --trace: one stderr line per 10 s with the rate of that interval, to see whether throughput holds over a long run.
const tracer = values.trace
  ? setInterval(() => {
      const now = performance.now();
      const requestsNow = client.stats().requests;
      const seconds = (now - traceFrom.at) / 1000;
      const heapMB = process.memoryUsage().heapUsed / 2 ** 20;
      process.stderr.write(
        `runs/s ${round((exported - traceFrom.count) / seconds)} requests/s ` +
          `${round((requestsNow - traceFrom.requests) / seconds)} heapUsed ${round(heapMB)} MB\n`,
      );
      traceFrom = { at: now, count: exported, requests: requestsNow };
    }, 10_000)
  : undefined;
const simCpuBefore = simCpuSeconds();
const cpuBefore = process.cpuUsage();
const started = performance.now();
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
clearInterval(tracer);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const cpu = process.cpuUsage(cpuBefore);
const simCpu = simCpuSeconds() - simCpuBefore;
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
  exporterCpuMsPerRequest: round((cpu.user + cpu.system) / 1000 / requests),
  exporterCpuShare: round((cpu.user + cpu.system) / 1e6 / seconds),
  simulatorCpuShare: Number.isNaN(simCpu) ? null : round(simCpu / seconds),
  simulatorPeakRssMB: simPeakRssMB(),
  requestMsP50: round(quantile(durations, 0.5)),
  requestMsP95: round(quantile(durations, 0.95)),
  peakRssMB: round(peakRss / 2 ** 20),
  baselineRssMB: round(baselineRss / 2 ** 20),
  peakHeapUsedMB: round(peakHeap / 2 ** 20),
  node: process.version,
};
console.log(JSON.stringify(result));
rmSync(dir, { recursive: true, force: true });
sim.kill('SIGTERM');

/** Peak RSS of the simulator process (Linux /proc; null elsewhere). */
function simPeakRssMB() {
  try {
    const line = readFileSync(`/proc/${sim.pid}/status`, 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('VmHWM:'));
    return round(Number(line.split(/\s+/)[1]) / 1024);
  } catch {
    return null;
  }
}

/** CPU seconds the simulator process used so far (Linux /proc; NaN elsewhere). */
function simCpuSeconds() {
  try {
    const fields = readFileSync(`/proc/${sim.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function round(value) {
  return Math.round(value * 100) / 100;
}
