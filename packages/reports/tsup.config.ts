import { defineConfig } from 'tsup';

export default defineConfig({
  // Worker threads load the CSV shard writer by path (dist/csv-shards.js): an entry of its own.
  entry: { index: 'src/index.ts', plugin: 'src/plugin.ts', 'csv-shards': 'src/csv/shard-module.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // import.meta.url in the CJS build (the HTML reporter finds Chart.js's UMD bundle with createRequire).
  shims: true,
});
