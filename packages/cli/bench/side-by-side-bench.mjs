// Side by side, on one simulator with the same injected latency: (a) this project's export at its default
// concurrency (run detail and node executions for every run), and (b) a plain sequential fetcher in the shape of
// the original script: list the log pages, then for each run fetch its detail and its node executions, one
// request at a time. Prints both rates, their ratio, and (a) against the ideal bound (concurrency / latency).
// Usage: node bench/side-by-side-bench.mjs [--runs 2000] [--latency 50]
import { parseArgs } from 'node:util';
import { createDifyClient, exportRuns } from '@dify-logs/core';
import { startSimWorker } from './sim-worker.mjs';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '2000' }, latency: { type: 'string', default: '50' } },
});
const runs = Number(values.runs);
const latencyMs = Number(values.latency);
const DEFAULT_CONCURRENCY = 16; // the job default (jobs[].concurrency)

const sim = startSimWorker({ runsPerApp: runs, runningRuns: 0, lostRunRate: 0, days: 3, faults: { latencyMs } });
const { url, account, app } = await sim.ready;

// (a) The project's export.
sim.reset();
const client = createDifyClient({ baseUrl: url, apiKey: app.apiKey, appId: app.id, console: account });
let started = performance.now();
let exported = 0;
for await (const _record of exportRuns(client, {
  appId: app.id,
  withDetails: true,
  withNodeExecutions: true,
  concurrency: DEFAULT_CONCURRENCY,
  createdAfter: '2000-01-01T00:00:00Z',
  createdBefore: '2100-01-01T00:00:00Z',
}))
  exported += 1;
const projectSeconds = (performance.now() - started) / 1000;
const projectRequests = (await sim.stats()).requests;

// (b) The sequential fetcher: console login once, then one request at a time.
sim.reset();
const password = Buffer.from(account.password).toString('base64');
const login = await fetch(`${url}/console/api/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: account.email, password, remember_me: true }),
});
const cookies = login.headers.getSetCookie().map((line) => line.split(';')[0]);
const csrf = cookies.find((cookie) => cookie.includes('csrf_token'))?.split('=')[1] ?? '';
const consoleHeaders = { cookie: cookies.join('; '), 'x-csrf-token': csrf };
const serviceHeaders = { authorization: `Bearer ${app.apiKey}` };
started = performance.now();
let sequential = 0;
for (let page = 1; ; page += 1) {
  const body = await (
    await fetch(`${url}/v1/workflows/logs?page=${page}&limit=100`, { headers: serviceHeaders })
  ).json();
  for (const item of body.data) {
    const runId = item.workflow_run?.id;
    if (!runId) continue;
    await (await fetch(`${url}/v1/workflows/run/${runId}`, { headers: serviceHeaders })).json();
    await (
      await fetch(`${url}/console/api/apps/${app.id}/workflow-runs/${runId}/node-executions`, {
        headers: consoleHeaders,
      })
    ).json();
    sequential += 1;
  }
  if (!body.has_more) break;
}
const sequentialSeconds = (performance.now() - started) / 1000;
const sequentialRequests = (await sim.stats()).requests;
sim.close();

const ideal = DEFAULT_CONCURRENCY / (latencyMs / 1000); // requests/s
const projectRate = projectRequests / projectSeconds;
console.log(
  JSON.stringify({
    runs: exported,
    latencyMs,
    project: {
      concurrency: DEFAULT_CONCURRENCY,
      seconds: Number(projectSeconds.toFixed(1)),
      runsPerSecond: Math.round(exported / projectSeconds),
      requestsPerSecond: Math.round(projectRate),
      shareOfIdeal: Number((projectRate / ideal).toFixed(3)),
    },
    sequential: {
      runs: sequential,
      seconds: Number(sequentialSeconds.toFixed(1)),
      runsPerSecond: Number((sequential / sequentialSeconds).toFixed(1)),
      requestsPerSecond: Math.round(sequentialRequests / sequentialSeconds),
    },
    speedup: Number((sequentialSeconds / projectSeconds).toFixed(1)),
  }),
);
