import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cli, filesUnder, sim, tempDir } from './helpers.js';

/** Mounts a tmpfs of `size` at `dir` (root only); the reason it cannot, or undefined. */
function mountTmpfs(dir: string, size: string, options = ''): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${options ? `,${options}` : ''}`, 'tmpfs', dir], {
      stdio: 'pipe',
    });
    return undefined;
  } catch (error) {
    return `cannot mount a tmpfs here (needs root and mount(8)): ${(error as Error).message.split('\n')[0]}`;
  }
}
const unmount = (dir: string) => execFileSync('umount', [dir], { stdio: 'pipe' });
const remount = (dir: string, options: string) =>
  execFileSync('mount', ['-o', `remount,${options}`, dir], { stdio: 'pipe' });

async function setUp() {
  const simulator = await sim({
    runsPerApp: 150,
    runningRuns: 0,
    now: new Date(Date.now() - 60_000).toISOString(),
    days: 1,
  });
  const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
  const dir = await tempDir();
  const outputs = join(dir, 'outputs');
  mkdirSync(outputs);
  await writeFile(
    join(dir, 'dify-logs.yaml'),
    [
      'dify:',
      `  baseUrl: ${simulator.url}`,
      `  apiKey: ${app.apiKey}`,
      `  appId: ${app.id}`,
      `  console: { email: ${simulator.account.email}, password: ${simulator.account.password} }`,
      'jobs:',
      '  - name: nightly',
      '    withNodeExecutions: true',
      '    window: { mode: incremental, initialFrom: "{{yesterday}}" }',
      '    outputFormat: [json, csv]',
      `storage: { baseDir: ${outputs} }`,
      `state: { type: file, path: ${join(dir, 'state.json')} }`,
      'logging: { level: error }',
      '',
    ].join('\n'),
  );
  const watermark = () =>
    existsSync(join(dir, 'state.json'))
      ? (readFileSync(join(dir, 'state.json'), 'utf8').match(/"watermark":\s*"([^"]+)"/)?.[1] ?? null)
      : null;
  return { dir, outputs, watermark, run: () => cli(['run', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} }) };
}

/** Every archived log id of the outputs folder. */
function archivedLogIds(outputs: string): string[] {
  return filesUnder(outputs)
    .filter((file) => file.endsWith('.ndjson.gz'))
    .flatMap((file) =>
      gunzipSync(readFileSync(file))
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { logId: string }).logId),
    );
}

/** The next run succeeds, moves the watermark and archives every run of the period once. */
async function expectRecovered(setup: Awaited<ReturnType<typeof setUp>>): Promise<void> {
  const recovered = await setup.run();
  expect(recovered.code, recovered.stderr).toBe(0);
  expect(setup.watermark()).not.toBeNull();
  const ids = archivedLogIds(setup.outputs);
  expect(ids.length).toBeGreaterThan(100);
  expect(new Set(ids).size).toBe(ids.length);
}

describe('storage that fails under the pipeline (local disk)', () => {
  it(
    'a full disk fails the run loudly, leaves nothing that ' +
      'looks complete, keeps the watermark; the next run recovers',
    async (context) => {
      const setup = await setUp();
      const reason = mountTmpfs(setup.outputs, '64k');
      if (reason) return context.skip(reason);
      try {
        const full = await setup.run();
        expect(full.code).toBe(1);
        expect(full.stderr + full.stdout).toMatch(/ENOSPC|no space/i);
        expect(setup.watermark()).toBeNull();
        // Nothing readable as a finished archive or report: no final-named files (temporary ones were removed).
        expect(filesUnder(setup.outputs).filter((file) => /\.(ndjson|ndjson\.gz|json|csv)$/.test(file))).toEqual([]);
      } finally {
        unmount(setup.outputs);
      }
      await expectRecovered(setup);
    },
  );

  it('a read-only folder fails the run loudly and keeps the watermark; the next run recovers', async (context) => {
    const setup = await setUp();
    const reason = mountTmpfs(setup.outputs, '32m');
    if (reason) return context.skip(reason);
    try {
      remount(setup.outputs, 'ro');
      const readOnly = await setup.run();
      expect(readOnly.code).toBe(1);
      expect(readOnly.stderr + readOnly.stdout).toMatch(/EROFS|read-only/i);
      expect(setup.watermark()).toBeNull();
      remount(setup.outputs, 'rw');
      await expectRecovered(setup);
    } finally {
      unmount(setup.outputs);
    }
  });
});
