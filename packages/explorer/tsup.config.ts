import { defineConfig } from 'tsup';

export default defineConfig({
  // The index build's worker thread is a file of its own, beside the entries (the loader starts it by its URL).
  entry: { index: 'src/index.ts', plugin: 'src/plugin.ts', 'rows-worker': 'src/index/rows-worker.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // import.meta.url in the CommonJS build (where the worker's file is found from).
  shims: true,
  // DuckDB's native bindings stay a runtime dependency.
  external: ['@duckdb/node-api'],
});
