// Renders the HTML report of the test fixture in Chromium and writes docs/images/html-report.png
// (full page, 1280 px wide) for the README. Needs /usr/bin/chromium. Run from anywhere:
//   node packages/reports/scripts/screenshot.mjs
// It runs the screenshot test of packages/reports/test/html.test.ts with UPDATE_SCREENSHOT=1, so the
// picture is exactly what the browser test checks (no build needed: vitest reads the sources).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const output = fileURLToPath(new URL('../../../docs/images/html-report.png', import.meta.url));

if (!existsSync('/usr/bin/chromium')) {
  console.error('screenshot: /usr/bin/chromium is not installed');
  process.exit(1);
}
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const result = spawnSync(
  process.execPath,
  [vitest, 'run', 'packages/reports/test/html.test.ts', '-t', 'full-page screenshot'],
  {
    cwd: root,
    env: { ...process.env, UPDATE_SCREENSHOT: '1' },
    stdio: 'inherit',
  },
);
if (result.status === 0) console.log(`screenshot: wrote ${output}`);
process.exit(result.status ?? 1);
