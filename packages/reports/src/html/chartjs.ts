import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let cached: Promise<string> | undefined;

async function load(): Promise<string> {
  const main = createRequire(import.meta.url).resolve('chart.js');
  const text = await readFile(join(dirname(main), 'chart.umd.min.js'), 'utf8');
  return text.replace(/\n\/\/# sourceMappingURL=[^\n]*\s*$/, '\n');
}

/**
 * Chart.js's UMD bundle, embedded in every page so reports open offline. `chart.umd.min.js` is not in
 * chart.js's exports map, so it is found next to the package's main file. Read once per process (a
 * failed read is tried again next time); the source-map comment is dropped, the licence banner kept.
 */
export function chartJsSource(): Promise<string> {
  if (cached === undefined) {
    const loading = load();
    cached = loading;
    loading.catch(() => {
      if (cached === loading) cached = undefined;
    });
  }
  return cached;
}
