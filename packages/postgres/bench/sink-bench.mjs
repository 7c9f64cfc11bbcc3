// PostgreSQL sink benchmark: N synthetic runs (node executions on a fraction) written as one window
// through `createPostgresSink` (open → add … → commit), in a child process per N so peak RSS is its own;
// with --passes 2 the same window is written again (every row updated, counts unchanged). Prints one JSON
// line per pass: seconds, runs/s, node rows/s, rows/s, peak RSS, and the elapsed seconds and RSS at every
// tenth of the way (flat RSS, steady pace).
// Usage: node bench/sink-bench.mjs [--runs 1000000] [--node-fraction 0.2] [--batch-size 1000] [--passes 1]
//   PG_URL (default postgres://root@127.0.0.1:5432/test). Tables bench_<pid>_*, dropped afterwards.
// Runs the built package (npm run bench -- sink builds first).
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000000' },
    'node-fraction': { type: 'string', default: '0.2' },
    'batch-size': { type: 'string', default: '1000' },
    passes: { type: 'string', default: '1' },
    child: { type: 'string' },
  },
});
const PG_URL = process.env.PG_URL ?? 'postgres://root@127.0.0.1:5432/test';
const nodeFraction = Number(values['node-fraction']);

if (values.child) {
  const { createPostgresSink } = await import('@dify-logs/postgres');
  const { syntheticRecord } = await import('../../cli/bench/synthetic-records.mjs');
  const count = Number(values.child);
  const start = Date.parse('2026-03-01T00:00:00Z');
  const records = function* () {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let index = 0; index < count; index += 1) yield syntheticRecord(index, random, nodeFraction, start);
  };
  // What generating the records alone costs, to tell it apart from the sink.
  let generated = performance.now();
  let nodes = 0;
  for (const record of records()) nodes += record.nodes?.length ?? 0;
  generated = (performance.now() - generated) / 1000;

  const sink = createPostgresSink({
    connectionString: PG_URL,
    tablePrefix: `bench_${process.pid}_`,
    batchSize: Number(values['batch-size']),
  });
  const context = {
    job: 'bench',
    runId: `bench-${count}`,
    window: { from: '2026-03-01T00:00:00Z', to: '2026-03-12T00:00:00Z', timezone: 'UTC' },
  };
  await sink.migrate();
  try {
    for (let pass = 1; pass <= Number(values.passes); pass += 1) {
      const rss = [];
      const tenths = [];
      const started = performance.now();
      const writer = await sink.open(context);
      let index = 0;
      for (const record of records()) {
        const pending = writer.add(record);
        if (pending) await pending;
        index += 1;
        if (index % Math.max(1, Math.floor(count / 10)) === 0) {
          rss.push(Math.round(process.memoryUsage.rss() / 2 ** 20));
          tenths.push(Number(((performance.now() - started) / 1000).toFixed(1)));
        }
      }
      const { rows } = await writer.commit();
      const seconds = (performance.now() - started) / 1000;
      const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
      const result = {
        pass,
        runs: count,
        nodes,
        rows,
        seconds,
        generatorSeconds: generated,
        rssMb: rss,
        tenths,
        maxRssMb,
      };
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }
  } finally {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    const { tables } = sink;
    await client.query(`DROP TABLE IF EXISTS ${tables.runs}, ${tables.nodes}, ${tables.windows}, ${tables.migrations}`);
    await client.end();
    await sink.close();
  }
  process.exit(0);
}

for (const count of values.runs.split(',').map(Number)) {
  const result = spawnSync(
    process.execPath,
    [
      import.meta.filename,
      '--child',
      String(count),
      '--node-fraction',
      values['node-fraction'],
      '--batch-size',
      values['batch-size'],
      '--passes',
      values.passes,
    ],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  if (result.status !== 0) {
    console.error(`the benchmark of ${count} runs failed (exit ${result.status})`);
    process.exit(result.status || 1);
  }
  for (const line of result.stdout.trim().split('\n')) {
    const measured = JSON.parse(line);
    console.log(
      JSON.stringify({
        pass: measured.pass === 1 ? 'write' : 'same window again',
        runs: measured.runs,
        nodeExecutions: measured.nodes,
        nodeFraction,
        batchSize: Number(values['batch-size']),
        seconds: Number(measured.seconds.toFixed(1)),
        runsPerSecond: Math.round(measured.runs / measured.seconds),
        nodeRowsPerSecond: Math.round(measured.nodes / measured.seconds),
        rowsPerSecond: Math.round((measured.runs + measured.nodes) / measured.seconds),
        generatorSecondsIncluded: Number(measured.generatorSeconds.toFixed(1)),
        secondsAtEveryTenth: measured.tenths,
        rssMbEveryTenth: measured.rssMb,
        peakRssMb: measured.maxRssMb,
        committedRows: measured.rows,
      }),
    );
  }
}
