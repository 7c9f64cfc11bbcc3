// `npm test`: install, build, check packages (publint, attw, the API report), check formatting, type-check, run every
// test, and end with one plain line `N passed, N failed` (CI reads that line).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap, mustSucceed, pnpm, run } from './bootstrap.mjs';
import { ensureSystemPackages } from './system-deps.mjs';

ensureSystemPackages();
bootstrap({ summary: true });
mustSucceed(
  'package checks (publint, attw)',
  pnpm(['exec', 'turbo', 'run', 'lint:package', '--output-logs=errors-only']),
  { summary: true },
);
mustSucceed('format check (prettier)', pnpm(['exec', 'prettier', '--check', '--log-level=warn', '.']), {
  summary: true,
});
mustSucceed('line width', run('node', ['scripts/check-line-width.mjs']), { summary: true });
mustSucceed('type-check', pnpm(['exec', 'turbo', 'run', 'typecheck', '--output-logs=errors-only']), { summary: true });

const reportDir = mkdtempSync(join(tmpdir(), 'dify-logs-vitest-'));
const report = join(reportDir, 'report.json');
const status = pnpm([
  'exec',
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
]);
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const result = JSON.parse(readFileSync(report, 'utf8'));
  passed = result.numPassedTests;
  failed = result.numFailedTests;
  skipped = result.numPendingTests + result.numTodoTests;
  if (result.numFailedTestSuites > 0 && failed === 0) failed = result.numFailedTestSuites;
} catch (error) {
  console.error(`could not read the vitest report: ${error.message}`);
  failed = Math.max(failed, 1);
}
rmSync(reportDir, { recursive: true, force: true });
if (status !== 0 && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(status !== 0 || failed > 0 ? 1 : 0);
