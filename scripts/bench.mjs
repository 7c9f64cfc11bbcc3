// `npm run bench` (or `pnpm bench`): build, then run the benchmarks. `npm run bench -- export [flags]` or
// `npm run bench -- report [flags]` (or `archive`) runs one of them with its own flags; with no name, both with
// defaults.
import { bootstrap, run } from './bootstrap.mjs';

const BENCHES = {
  export: 'packages/cli/bench/export-bench.mjs',
  report: 'packages/cli/bench/report-bench.mjs',
  archive: 'packages/cli/bench/archive-bench.mjs',
  parquet: 'packages/parquet/bench/parquet-bench.mjs',
  sink: 'packages/postgres/bench/sink-bench.mjs',
  capacity: 'packages/cli/bench/capacity-bench.mjs',
  'side-by-side': 'packages/cli/bench/side-by-side-bench.mjs',
  fetch: 'packages/cli/bench/fetch-bench.mjs',
  messages: 'packages/cli/bench/messages-bench.mjs',
  explorer: 'packages/explorer/bench/explorer-bench.mjs',
};
bootstrap();
const [name, ...flags] = process.argv.slice(2);
if (name && BENCHES[name]) process.exit(run(process.execPath, [BENCHES[name], ...flags]));
if (name && !name.startsWith('-')) {
  console.error(`unknown benchmark ${name}; use ${Object.keys(BENCHES).join(' or ')}`);
  process.exit(2);
}
let worst = 0;
// Flags without a name go to the export benchmark, as before.
worst = Math.max(worst, run(process.execPath, [BENCHES.export, ...(name ? [name, ...flags] : [])]));
if (!name) {
  worst = Math.max(worst, run(process.execPath, [BENCHES.report]));
  worst = Math.max(worst, run(process.execPath, [BENCHES.archive]));
}
process.exit(worst);
