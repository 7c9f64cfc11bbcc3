import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  // The report command's worker thread is loaded by path (dist/parallel-report-worker.js), so it is an entry of its
  // own.
  entry: {
    index: 'src/index.ts',
    bin: 'src/bin.ts',
    'parallel-report-worker': 'src/support/parallel-report-worker.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // `import.meta.url` in the CommonJS build (the logger loads pino-pretty from it on demand).
  shims: true,
  define: { __DIFY_LOGS_VERSION__: JSON.stringify(version) },
});
