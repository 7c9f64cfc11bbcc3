// Report benchmark: N synthetic RunRecords (nodes on a fraction) as NDJSON, then `dify-logs report` on
// them in a child process with the given formats. Prints one JSON line per N: records/s and peak RSS.
// Usage: node bench/report-bench.mjs [--records 100000,1000000] [--formats json,markdown,csv,html] [--node-fraction
// 0.2] [--threads N] [--privacy on|off] (`--privacy off` gives the command a configuration with `privacy.enabled:
// false`; on, the default policy scans every record.) (`--threads` goes to `dify-logs report`; without it the command
// picks its default: the CPU cores, at most 4.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSyntheticNdjson } from './synthetic-records.mjs';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '100000,1000000' },
    formats: { type: 'string', default: 'json,markdown,csv,html' },
    'node-fraction': { type: 'string', default: '0.2' },
    threads: { type: 'string' },
    privacy: { type: 'string', default: 'on' },
  },
});
const bin = join(import.meta.dirname, '../dist/index.js');
const dir = mkdtempSync(join(tmpdir(), 'dify-logs-report-bench-'));
const config = join(dir, 'privacy-off.yaml');
writeFileSync(
  config,
  'dify: { baseUrl: http://127.0.0.1:9, apiKey: app-bench, appId: bench }\nprivacy: { enabled: false }\n',
);
const extra = [
  ...(values.threads ? ['--threads', values.threads] : []),
  ...(values.privacy === 'off' ? ['--config', config] : []),
];
try {
  for (const count of values.records.split(',').map(Number)) {
    const input = join(dir, `runs-${count}.ndjson`);
    const generated = performance.now();
    await writeSyntheticNdjson(input, count, { nodeFraction: Number(values['node-fraction']) });
    const generateSeconds = (performance.now() - generated) / 1000;
    // The child runs the CLI in-process and reports its own peak RSS when it is done.
    const child = `
      const { main } = await import(${JSON.stringify(bin)});
      const started = performance.now();
      const code = await main(['report', '--input', ${JSON.stringify(input)}, \
'--format', ${JSON.stringify(values.formats)}, '--out-dir', ${JSON.stringify(join(dir, `out-${count}`))}, \
...${JSON.stringify(extra)}]);
      const seconds = (performance.now() - started) / 1000;
      process.stdout.write(JSON.stringify({ code, seconds, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) \
}) + '\\n');
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', child], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const measured = JSON.parse(result.stdout.trim().split('\n').at(-1));
    console.log(
      JSON.stringify({
        records: count,
        formats: values.formats,
        threads: Number(values.threads ?? Math.min(4, availableParallelism())),
        nodeFraction: Number(values['node-fraction']),
        privacy: values.privacy,
        inputMb: Math.round(statSync(input).size / 2 ** 20),
        exitCode: measured.code,
        seconds: Number(measured.seconds.toFixed(2)),
        recordsPerSecond: Math.round(count / measured.seconds),
        peakRssMb: measured.maxRssMb,
        generateSeconds: Number(generateSeconds.toFixed(1)),
      }),
    );
    rmSync(input, { force: true });
    rmSync(join(dir, `out-${count}`), { recursive: true, force: true });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
