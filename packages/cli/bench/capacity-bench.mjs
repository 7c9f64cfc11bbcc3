// Politeness benchmark: the export against a simulated Dify of limited capacity (K requests served at once,
// each 50 ms), with the adaptive concurrency limit on and no tuning: throughput as a share of the capacity
// (K / 50 ms) and the share of requests refused, for K = 4 and 32, in 429 mode (excess refused) and queue mode
// (excess waits); then K changed mid-run, and how long the limit takes to follow.
// Then Dify's default API server (one gevent worker of 10 connections: 10 served at once, the rest queued): the
// limit over the second half of the export, which should settle near 10 with nothing refused.
// Usage: node bench/capacity-bench.mjs [--runs 3000] [--service-ms 50] [--only worker-connections]
import { parseArgs } from 'node:util';
import { createDifyClient, exportRuns } from '@dify-logs/core';
import { startSimWorker } from './sim-worker.mjs';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3000' },
    'service-ms': { type: 'string', default: '50' },
    only: { type: 'string' },
  },
});
const only = values.only;
const serviceMs = Number(values['service-ms']);
const runs = Number(values.runs);

const sim = startSimWorker({ runsPerApp: runs, runningRuns: 0, lostRunRate: 0, days: 3 });
const { url, account, app } = await sim.ready;
const client = () =>
  createDifyClient({
    baseUrl: url,
    apiKey: app.apiKey,
    appId: app.id,
    console: account,
    retry: { retries: 20, minDelayMs: 20, maxDelayMs: 500 },
  });
const exportAll = (dify, onTick) => {
  const records = exportRuns(dify, {
    appId: app.id,
    withNodeExecutions: true,
    concurrency: 64,
    createdAfter: '2000-01-01T00:00:00Z',
    createdBefore: '2100-01-01T00:00:00Z',
  });
  return (async () => {
    let count = 0;
    for await (const _record of records) {
      count += 1;
      onTick?.(count);
    }
    return count;
  })();
};

for (const mode of only ? [] : ['429', 'queue']) {
  for (const k of [4, 32]) {
    sim.setCapacity({ maxInFlight: k, mode, serviceMs });
    sim.reset();
    const dify = client();
    const started = performance.now();
    const exported = await exportAll(dify);
    const seconds = (performance.now() - started) / 1000;
    const stats = await sim.stats();
    const served = stats.requests - stats.capacityRejected;
    const capacity = k / (serviceMs / 1000);
    console.log(
      JSON.stringify({
        mode,
        k,
        runs: exported,
        seconds: Number(seconds.toFixed(2)),
        servedPerSecond: Math.round(served / seconds),
        capacityPerSecond: capacity,
        shareOfCapacity: Number((served / seconds / capacity).toFixed(3)),
        rejectedShare: Number((stats.capacityRejected / stats.requests).toFixed(4)),
        finalLimit: dify.stats().concurrencyLimit,
        peakInFlight: stats.peakInFlight,
      }),
    );
  }
}

// Dify's default server: SERVER_WORKER_AMOUNT=1, SERVER_WORKER_CONNECTIONS=10, gevent (queue mode, K = 10).
{
  sim.setCapacity({ maxInFlight: 10, mode: 'queue', serviceMs });
  sim.reset();
  const dify = client();
  const limits = [];
  const inFlight = [];
  const timer = setInterval(() => {
    const { concurrencyLimit, inFlight: now } = dify.stats();
    limits.push(concurrencyLimit ?? 0);
    inFlight.push(now ?? 0);
  }, 20);
  // The server's counters every half second, to read its second half alone.
  const snapshots = [];
  const sampler = setInterval(async () => snapshots.push({ at: performance.now(), ...(await sim.stats()) }), 500);
  const started = performance.now();
  const exported = await exportAll(dify);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  clearInterval(sampler);
  const stats = await sim.stats();
  const middle = snapshots.find((snapshot) => snapshot.at - started >= (seconds * 1000) / 2) ?? snapshots[0];
  const secondHalf = (performance.now() - middle.at) / 1000;
  const settled = limits.slice(Math.floor(limits.length / 2)).sort((a, b) => a - b);
  const open = inFlight.slice(Math.floor(inFlight.length / 2)).sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      preset: 'worker-connections',
      k: 10,
      runs: exported,
      seconds: Number(seconds.toFixed(2)),
      shareOfCapacity: Number((stats.requests / seconds / (10 / (serviceMs / 1000))).toFixed(3)),
      refused: stats.capacityRejected,
      peakInFlight: stats.peakInFlight,
      settledLimit: { median: settled[Math.floor(settled.length / 2)], min: settled[0], max: settled.at(-1) },
      // The client's requests in flight count its own share of each round trip (sending, parsing the answer); the
      // server's side is what it served at once plus what waited for one of its 10 connections (Little's law), both
      // over the second half.
      clientInFlight: { median: open[Math.floor(open.length / 2)], p90: open[Math.floor(open.length * 0.9)] },
      server: {
        servedAtOnce: Number((((stats.requests - middle.requests) * serviceMs) / 1000 / secondHalf).toFixed(1)),
        waiting: Number(((stats.queuedMs - middle.queuedMs) / 1000 / secondHalf).toFixed(1)),
      },
    }),
  );
}

// The capacity changes mid-run: how long until the limit is within 25 % of the new K.
for (const [from, to] of only
  ? []
  : [
      [8, 24],
      [24, 8],
    ]) {
  sim.setCapacity({ maxInFlight: from, mode: '429', serviceMs });
  sim.reset();
  const dify = client();
  const trace = [];
  let changedAt;
  let followedAfter;
  const started = performance.now();
  const timer = setInterval(() => {
    const at = (performance.now() - started) / 1000;
    const limit = dify.stats().concurrencyLimit;
    trace.push([Number(at.toFixed(1)), limit]);
    if (changedAt === undefined && at >= 3) {
      changedAt = at;
      sim.setCapacity({ maxInFlight: to, mode: '429', serviceMs });
    }
    if (changedAt !== undefined && followedAfter === undefined && Math.abs(limit - to) <= to * 0.25)
      followedAfter = at - changedAt;
  }, 100);
  await exportAll(dify);
  clearInterval(timer);
  const stats = await sim.stats();
  console.log(
    JSON.stringify({
      change: `${from}→${to}`,
      followedAfterSeconds: followedAfter === undefined ? null : Number(followedAfter.toFixed(1)),
      rejectedShare: Number((stats.capacityRejected / stats.requests).toFixed(4)),
      trace: trace.filter((_, index) => index % 5 === 0),
    }),
  );
}
sim.close();
