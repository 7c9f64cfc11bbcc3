// Archive benchmark: N synthetic runs (with node executions on a fraction) written as the partitioned
// archive (gzip NDJSON per app and UTC day + manifests) to local disk or an S3 endpoint, in a child
// process per N so peak RSS is its own. Prints one JSON line per N: MB/s (uncompressed NDJSON), runs/s, peak RSS.
// Usage: node bench/archive-bench.mjs [--runs 20000,100000] [--target local|s3] [--node-fraction 1]
//   s3: S3_ENDPOINT, S3_BUCKET, S3_REGION (default us-east-1), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (path-style).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20000,100000' },
    target: { type: 'string', default: 'local' },
    'node-fraction': { type: 'string', default: '1' },
    child: { type: 'string' },
  },
});

if (values.child) {
  const { createArchiveWriter } = await import('@dify-logs/core/archive');
  const { syntheticRecord } = await import('./synthetic-records.mjs');
  const count = Number(values.child);
  let storage;
  if (values.target === 's3') {
    const { createS3Storage } = await import('@dify-logs/storage-s3');
    storage = createS3Storage({
      bucket: process.env.S3_BUCKET,
      endpoint: process.env.S3_ENDPOINT,
      region: process.env.S3_REGION ?? 'us-east-1',
      forcePathStyle: true,
      prefix: `bench-${Date.now()}/`,
    });
  } else {
    const { createLocalStorage } = await import('@dify-logs/storage-local');
    storage = createLocalStorage({ baseDir: process.env.BENCH_DIR });
  }
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const writer = createArchiveWriter(storage, {
    job: 'bench',
    runId: `bench-${count}`,
    window: { from: '2026-03-01T00:00:00Z', to: '2026-03-10T00:00:00Z' },
  });
  let bytes = 0;
  const started = performance.now();
  for (let index = 0; index < count; index += 1) {
    // Records of one app in log order, as the pipeline hands them over: app by app, spread over days.
    const record = syntheticRecord(index, random, Number(values['node-fraction']), Date.parse('2026-03-01T00:00:00Z'));
    record.appId = `app-${Math.floor((index * 3) / count)}`;
    bytes += JSON.stringify(record).length + 1;
    await writer.add(record);
  }
  const result = await writer.finish();
  const seconds = (performance.now() - started) / 1000;
  await storage.close?.();
  process.stdout.write(
    JSON.stringify({
      runs: count,
      records: result.records,
      parts: result.parts.length,
      partitions: result.manifests.length,
      seconds,
      ndjsonMb: bytes / 2 ** 20,
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }) + '\n',
  );
  process.exit(0);
}

for (const count of values.runs.split(',').map(Number)) {
  const dir = mkdtempSync(join(tmpdir(), 'dify-logs-archive-bench-'));
  try {
    const result = spawnSync(
      process.execPath,
      [
        import.meta.filename,
        '--child',
        String(count),
        '--target',
        values.target,
        '--node-fraction',
        values['node-fraction'],
      ],
      { encoding: 'utf8', env: { ...process.env, BENCH_DIR: dir }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const measured = JSON.parse(result.stdout.trim().split('\n').at(-1));
    console.log(
      JSON.stringify({
        target: values.target,
        runs: measured.runs,
        nodeFraction: Number(values['node-fraction']),
        parts: measured.parts,
        partitions: measured.partitions,
        seconds: Number(measured.seconds.toFixed(2)),
        runsPerSecond: Math.round(measured.runs / measured.seconds),
        ndjsonMbPerSecond: Number((measured.ndjsonMb / measured.seconds).toFixed(1)),
        ndjsonMb: Math.round(measured.ndjsonMb),
        peakRssMb: measured.maxRssMb,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
