// The fetch core under faults and at its defaults (issue: fetch core under production conditions).
//   faults:   2,000 runs, 20 ms latency, the default concurrency: a clean export, then the same export with 5% 500s,
//             5% connection resets and 5% 429 (Retry-After: 1). Prints both times, their ratio (goal <= 2.5) and
//             whether the two exports are identical.
//   defaults: 500 runs at 50 ms: `dify-logs export` with nothing but credentials and --out (start-up included),
//             against a sequential fetcher doing the same work (list pages, then each run's detail, one request at
//             a time) and the ideal bound (the same requests 16 at a time). Goals: >= 12x, within 20% of the bound.
// Usage: node bench/fetch-bench.mjs [faults|defaults] [--runs N] [--latency MS]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FETCH_DEFAULTS } from '@dify-logs/core/client';
import { createDifyClient, exportRuns } from '@dify-logs/core';
import { startSimWorker } from './sim-worker.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string' }, latency: { type: 'string' } },
});
const modes = positionals.length > 0 ? positionals : ['faults', 'defaults'];
const FAULTS = { rate5xx: 0.05, rateReset: 0.05, rate429: 0.05, retryAfterSeconds: 1 };

for (const mode of modes) {
  if (mode === 'faults') await faults(Number(values.runs ?? 2000), Number(values.latency ?? 20));
  else if (mode === 'defaults') await defaults(Number(values.runs ?? 500), Number(values.latency ?? 50));
  else throw new Error(`unknown mode ${mode}: faults or defaults`);
}

async function exportAll(url, account, app) {
  const client = createDifyClient({ baseUrl: url, console: account });
  const hash = createHash('sha256');
  let runs = 0;
  const started = performance.now();
  for await (const record of exportRuns(client, {
    appId: app.id,
    withNodeExecutions: true,
    createdAfter: '2000-01-01T00:00:00Z',
    createdBefore: '2100-01-01T00:00:00Z',
  })) {
    hash.update(JSON.stringify(record));
    runs += 1;
  }
  return {
    seconds: (performance.now() - started) / 1000,
    runs,
    digest: hash.digest('hex'),
    retries: client.stats().retries,
  };
}

async function faults(runs, latencyMs) {
  const sim = startSimWorker({ runsPerApp: runs, runningRuns: 0, lostRunRate: 0, days: 3, faults: { latencyMs } });
  const { url, account, app } = await sim.ready;
  const clean = await exportAll(url, account, app);
  sim.setFaults({ latencyMs, ...FAULTS });
  sim.reset();
  const faulty = await exportAll(url, account, app);
  const stats = await sim.stats();
  sim.close();
  console.log(
    JSON.stringify({
      bench: 'faults',
      runs: faulty.runs,
      latencyMs,
      concurrency: FETCH_DEFAULTS.concurrency,
      faults: FAULTS,
      cleanSeconds: round(clean.seconds),
      faultySeconds: round(faulty.seconds),
      ratio: round(faulty.seconds / clean.seconds, 2),
      faultsInjected: stats.faultsInjected,
      retries: faulty.retries,
      identical: clean.digest === faulty.digest && clean.runs === faulty.runs,
    }),
  );
}

async function defaults(runs, latencyMs) {
  const sim = startSimWorker({
    runsPerApp: runs,
    runningRuns: 0,
    lostRunRate: 0,
    days: 3,
    faults: { latencyMs, paths: '.' },
  });
  const { url, app } = await sim.ready;
  const folder = mkdtempSync(join(tmpdir(), 'fetch-bench-'));
  const out = join(folder, 'runs.ndjson');
  const bin = new URL('../dist/bin.js', import.meta.url).pathname;
  sim.reset();
  let started = performance.now();
  const cli = spawnSync(
    process.execPath,
    [
      bin,
      'export',
      '--base-url',
      url,
      '--api-key',
      app.apiKey,
      '--app-id',
      app.id,
      '--created-after',
      '2000-01-01T00:00:00Z',
      '--out',
      out,
    ],
    { encoding: 'utf8' },
  );
  const cliSeconds = (performance.now() - started) / 1000;
  if (cli.status !== 0) throw new Error(`dify-logs export failed (${cli.status}): ${cli.stderr}`);
  const exported = readFileSync(out, 'utf8').split('\n').filter(Boolean).length;
  const cliRequests = (await sim.stats()).requests;
  rmSync(folder, { recursive: true, force: true });

  sim.reset();
  const headers = { authorization: `Bearer ${app.apiKey}` };
  started = performance.now();
  for (let page = 1; ; page += 1) {
    const body = await (await fetch(`${url}/v1/workflows/logs?page=${page}&limit=100`, { headers })).json();
    for (const item of body.data)
      if (item.workflow_run?.id)
        await (await fetch(`${url}/v1/workflows/run/${item.workflow_run.id}`, { headers })).json();
    if (!body.has_more) break;
  }
  const sequentialSeconds = (performance.now() - started) / 1000;
  const sequentialRequests = (await sim.stats()).requests;
  sim.close();
  const idealSeconds = (sequentialRequests * latencyMs) / 1000 / FETCH_DEFAULTS.concurrency;
  console.log(
    JSON.stringify({
      bench: 'defaults',
      runs: exported,
      latencyMs,
      cliSeconds: round(cliSeconds),
      cliRequests,
      sequentialSeconds: round(sequentialSeconds),
      sequentialRequests,
      speedup: round(sequentialSeconds / cliSeconds),
      idealSeconds: round(idealSeconds),
      overIdeal: round(cliSeconds / idealSeconds - 1, 3),
    }),
  );
}

function round(value, digits = 1) {
  return Number(value.toFixed(digits));
}
