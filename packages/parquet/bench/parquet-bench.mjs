// Parquet benchmark: N synthetic RunRecords (nodes on a fraction; the report benchmark's generator) through
// `parquetReporter()`'s writer into runs.parquet and nodes.parquet, each N in a fresh child process. Prints one JSON
// line per N: runs/s, node rows/s, file sizes, peak RSS; then the runs table read back with `readParquetRecords`.
// Runs on the built package: `pnpm --filter @dify-logs/parquet build` first (or `pnpm bench parquet`, which builds).
// Usage: node packages/parquet/bench/parquet-bench.mjs [--records 100000,1000000] [--node-fraction 0.2]
// [--row-group-size 10000] [--skip-read]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '100000,1000000' },
    'node-fraction': { type: 'string', default: '0.2' },
    'row-group-size': { type: 'string', default: '10000' },
    'skip-read': { type: 'boolean', default: false },
  },
});
const dist = join(import.meta.dirname, '../dist/index.js');
const generator = join(import.meta.dirname, '../../cli/bench/synthetic-records.mjs');

// The child writes N records and reports its own timings and peak RSS when it is done.
const writeChild = (count, dir) => `
  const { parquetReporter } = await import(${JSON.stringify(dist)});
  const { syntheticRecord } = await import(${JSON.stringify(generator)});
  const { readdirSync, statSync } = await import('node:fs');
  // The generator's PRNG (mulberry32, seed 7): the same records as the report benchmark's NDJSON.
  let state = 7;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const start = Date.parse('2026-03-01T00:00:00Z');
  const writer = parquetReporter({ rowGroupSize: ${Number(values['row-group-size'])} }).start({ job: 'bench', runId: \
'bench', window: { from: '', to: '', timezone: 'UTC' }, tmpDir: ${JSON.stringify(dir)} });
  let generateMs = 0;
  let nodeRows = 0;
  const started = performance.now();
  for (let index = 0; index < ${count}; index += 1) {
    const before = performance.now();
    const record = syntheticRecord(index, random, ${Number(values['node-fraction'])}, start);
    generateMs += performance.now() - before;
    nodeRows += record.nodes ? record.nodes.length : 0;
    const pending = writer.add(record);
    if (pending) await pending;
  }
  await writer.finish({});
  const seconds = (performance.now() - started) / 1000;
  const sizes = Object.fromEntries(readdirSync(${JSON.stringify(dir)}).map((name) => [name.split('-')[0], \
statSync(${JSON.stringify(dir)} + '/' + name).size]));
  process.stdout.write(JSON.stringify({ seconds, generateSeconds: generateMs / 1000, nodeRows, sizes, maxRssMb: \
Math.round(process.resourceUsage().maxRSS / 1024) }) + '\\n');
`;

const readChild = (path) => `
  const { readParquetRecords } = await import(${JSON.stringify(dist)});
  const started = performance.now();
  let records = 0;
  let nodes = 0;
  for await (const record of readParquetRecords(${JSON.stringify(path)})) {
    records += 1;
    nodes += record.nodes ? record.nodes.length : 0;
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ records, nodes, seconds, maxRssMb: Math.round(process.resourceUsage().maxRSS / \
1024) }) + '\\n');
`;

function child(code) {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  if (result.status !== 0) throw new Error(`benchmark child exited with ${result.status}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1));
}

const mb = (bytes) => Number((bytes / 2 ** 20).toFixed(1));
const dir = mkdtempSync(join(tmpdir(), 'dify-logs-parquet-bench-'));
try {
  for (const count of values.records.split(',').map(Number)) {
    const out = join(dir, `out-${count}`);
    mkdirSync(out);
    const written = child(writeChild(count, out));
    const writeSeconds = written.seconds - written.generateSeconds;
    const line = {
      records: count,
      nodeRows: written.nodeRows,
      nodeFraction: Number(values['node-fraction']),
      rowGroupSize: Number(values['row-group-size']),
      seconds: Number(written.seconds.toFixed(2)),
      generateSeconds: Number(written.generateSeconds.toFixed(2)),
      runsPerSecond: Math.round(count / written.seconds),
      runsPerSecondWriteOnly: Math.round(count / writeSeconds),
      nodeRowsPerSecond: Math.round(written.nodeRows / written.seconds),
      runsFileMb: mb(written.sizes.runs),
      nodesFileMb: mb(written.sizes.nodes),
      peakRssMb: written.maxRssMb,
    };
    if (!values['skip-read']) {
      const runsFile = join(
        out,
        readdirSync(out).find((name) => name.startsWith('runs-')),
      );
      const read = child(readChild(runsFile));
      if (read.records !== count || read.nodes !== written.nodeRows)
        throw new Error(
          `read back ${read.records} runs and ${read.nodes} nodes, wrote ${count} and ${written.nodeRows}`,
        );
      Object.assign(line, {
        readSeconds: Number(read.seconds.toFixed(2)),
        readRecordsPerSecond: Math.round(count / read.seconds),
        readPeakRssMb: read.maxRssMb,
      });
    }
    console.log(JSON.stringify(line));
    rmSync(out, { recursive: true, force: true });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
