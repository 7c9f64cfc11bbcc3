import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createArchiveWriter } from '@dify-logs/core/archive';
import type { RunRecord } from '@dify-logs/core';
import { createLocalStorage } from '@dify-logs/storage-local';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

// The CLI from its sources (tsx, the dev-source condition): no build needed to run the real process and signal it.
const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');

const record = (index: number): RunRecord => ({
  appId: 'app-serve',
  logId: `log-${index}`,
  runId: `run-${index}`,
  status: index === 2 ? 'failed' : 'succeeded',
  workflowVersion: null,
  triggeredFrom: 'app-run',
  createdFrom: 'service-api',
  createdByRole: 'end_user',
  endUserSessionId: 'user-1',
  accountEmail: null,
  loggedAt: `2026-03-09T10:0${index}:00.000Z`,
  createdAt: `2026-03-09T10:0${index}:00.000Z`,
  finishedAt: `2026-03-09T10:0${index}:02.000Z`,
  elapsedTime: 2,
  totalTokens: 5,
  totalSteps: 1,
  exceptionsCount: 0,
  error: index === 2 ? 'boom' : null,
  inputs: { question: `question ${index}` },
  outputs: {},
  nodes: null,
  enrichmentError: null,
});

async function configWithArchive(): Promise<{ dir: string; config: string }> {
  const dir = await tempDir();
  const baseDir = join(dir, 'data');
  const writer = createArchiveWriter(createLocalStorage({ baseDir }), {
    job: 'daily',
    runId: 'pipeline-1',
    window: { from: '2026-03-09T00:00:00.000Z', to: '2026-03-10T00:00:00.000Z' },
  });
  for (const index of [1, 2, 3]) await writer.add(record(index));
  await writer.finish();
  const config = join(dir, 'config.json');
  await writeFile(
    config,
    JSON.stringify({
      dify: { baseUrl: 'http://127.0.0.1:9', apiKey: 'app-unused' },
      jobs: [{ name: 'daily' }],
      storage: { baseDir },
      serve: { port: 0, refreshSeconds: 1 },
    }),
  );
  return { dir, config };
}

describe('dify-logs serve', () => {
  it('serves the archive until SIGTERM, then exits 0', async () => {
    const { dir, config } = await configWithArchive();
    const child = spawn(
      process.execPath,
      ['--conditions=dev-source', '--import', tsx, bin, 'serve', '--config', config],
      {
        cwd: dir,
        env: { PATH: process.env.PATH },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 25_000;
      while (!/explorer on (http:\S+)/.test(stdout) && Date.now() < deadline && child.exitCode === null)
        await new Promise((resolve) => setTimeout(resolve, 100));
      const url = /explorer on (http:\S+)/.exec(stdout)?.[1];
      expect(url, stderr).toBeDefined();
      const page = (await (await fetch(`${url}/api/runs?status=failed`)).json()) as { runs: RunRecord[] };
      expect(page.runs.map((run) => run.runId)).toEqual(['run-2']);
      expect((await fetch(`${url}/api/runs`, { method: 'POST' })).status).toBe(405);
      child.kill('SIGTERM');
      expect(await exited, stderr).toBe(0);
      expect(stdout).toContain('stopped');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses another address without credentials, naming serve.token', async () => {
    const { dir, config } = await configWithArchive();
    const result = await cli(['serve', '--config', config, '--host', '0.0.0.0', '--for-seconds', '0'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('serve.token');
  });

  it('checks its flags', async () => {
    const result = await cli(['serve', '--port', 'eighty']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port');
  });
});
