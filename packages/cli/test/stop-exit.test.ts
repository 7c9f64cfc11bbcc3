import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { endProcessAfterGrace } from '../src/support/end-process.js';
import { sim, tempDir } from './helpers.js';
import { PG_URL, dropTables, freePort, postgresReason } from './postgres.js';

// Issue 16 item 6: `worker` logged `stopped` and then stayed alive for lockLifetime / 2 (300 s by default),
// held by Agenda's liveness timer of every job it had run. Only the real binary with its default settings
// shows it: the in-process `cli()` helper cannot see a process that does not end, and short lock lifetimes hide it.
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
/** worker.drainSeconds and `schedule start --drain-seconds` default to 60 s. */
const DRAIN_MS = 60_000;
const MARGIN_MS = 5_000;

interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From SIGTERM (or from the start with `--for-seconds`) to the end of the process. */
  ms: number;
  stdout: string;
  stderr: string;
}

/**
 * Spawns `dify-logs <argv>`, waits until two deployment runs have finished (so Agenda has armed its timers),
 * then sends SIGTERM when `sigterm` is set, and waits for the process to end: at most the drain time plus a
 * margin, after which it is killed and the result says so.
 */
async function runUntilStopped(
  argv: string[],
  cwd: string,
  options: { sigterm: boolean; env?: NodeJS.ProcessEnv },
): Promise<Stopped> {
  const child = spawn(process.execPath, [bin, ...argv], {
    cwd,
    env: { PATH: process.env.PATH, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let from = Date.now();
  if (options.sigterm) {
    const deadline = Date.now() + 30_000;
    while ((stdout.match(/: succeeded/g) ?? []).length < 2 && Date.now() < deadline && child.exitCode === null)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect((stdout.match(/: succeeded/g) ?? []).length, stderr).toBeGreaterThanOrEqual(2);
    from = Date.now();
    child.kill('SIGTERM');
  }
  const killer = setTimeout(() => child.kill('SIGKILL'), DRAIN_MS + MARGIN_MS + (options.sigterm ? 0 : 10_000));
  const { code, signal } = await exited;
  clearTimeout(killer);
  return { code, signal, ms: Date.now() - from, stdout, stderr };
}

async function configDir(extra: string[] = []): Promise<string> {
  const simulator = await sim({
    runsPerApp: 20,
    runningRuns: 0,
    now: new Date(Date.now() - 60_000).toISOString(),
    days: 1,
  });
  const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
  const dir = await tempDir();
  await writeFile(
    join(dir, 'dify-logs.yaml'),
    [
      'dify:',
      `  baseUrl: ${simulator.url}`,
      `  apiKey: ${app.apiKey}`,
      `  appId: ${app.id}`,
      'jobs:',
      '  - name: live',
      '    window: { mode: incremental, initialFrom: "{{yesterday}}" }',
      'deployments:',
      '  - { name: every-second, job: live, schedule: "* * * * * *", retries: 0, catchUp: 0 }',
      'storage: { baseDir: ./outputs }',
      'logging: { level: warn }',
      ...extra,
      '',
    ].join('\n'),
  );
  return dir;
}

/** The process ended by itself: exit code 0, and not by the grace timer of `bin.ts`. */
function expectEndedByItself(stopped: Stopped, withinMs: number): void {
  expect(stopped.signal, `killed after ${stopped.ms} ms; stdout: ${stopped.stdout.slice(-400)}`).toBeNull();
  expect(stopped.code, stopped.stderr).toBe(0);
  expect(stopped.stdout).toMatch(/stopping/);
  expect(stopped.stderr).not.toMatch(/after the command finished/);
  expect(stopped.ms).toBeLessThan(withinMs);
}

describe.skipIf(!existsSync(bin))('a stopped scheduler process ends (needs `pnpm build`)', () => {
  it(
    '`worker` with its default settings on PostgreSQL ' + 'exits 0 right after SIGTERM, and after --for-seconds',
    async (context) => {
      const reason = await postgresReason();
      if (reason) return context.skip(reason);
      const prefix = `cliexit${randomBytes(4).toString('hex')}_`;
      const dir = await configDir(['worker:', `  databaseUrl: ${PG_URL}`, `  prefix: ${prefix}`]);
      const env = { WORKER_PORT: String(await freePort()) };
      try {
        const afterSigterm = await runUntilStopped(['worker', '--config', 'dify-logs.yaml'], dir, {
          sigterm: true,
          env,
        });
        expectEndedByItself(afterSigterm, DRAIN_MS + MARGIN_MS);
        expect(afterSigterm.stdout).toMatch(/^stopped$/m);
        // Nothing was running: the worker ends at once, far inside its drain time.
        expect(afterSigterm.ms).toBeLessThan(10_000);

        // Long enough for a tick to run on a loaded machine (starting the worker, its database and the run itself).
        const timed = await runUntilStopped(['worker', '--config', 'dify-logs.yaml', '--for-seconds', '8'], dir, {
          sigterm: false,
          env,
        });
        expectEndedByItself(timed, 8000 + DRAIN_MS + MARGIN_MS);
        expect(timed.stdout).toMatch(/every-second .*: succeeded/);
        expect(timed.ms).toBeLessThan(8000 + 10_000);
        console.log(`worker: ${afterSigterm.ms} ms from SIGTERM to exit; ${timed.ms} ms for --for-seconds 8`);
      } finally {
        await dropTables(prefix);
      }
    },
    180_000,
  );

  it('`schedule start` with its default settings exits 0 right after SIGTERM, and after --for-seconds', async () => {
    const dir = await configDir();
    const afterSigterm = await runUntilStopped(['schedule', 'start', '--config', 'dify-logs.yaml'], dir, {
      sigterm: true,
    });
    expectEndedByItself(afterSigterm, DRAIN_MS + MARGIN_MS);
    expect(afterSigterm.ms).toBeLessThan(10_000);
    const timed = await runUntilStopped(
      ['schedule', 'start', '--config', 'dify-logs.yaml', '--for-seconds', '3'],
      dir,
      { sigterm: false },
    );
    expectEndedByItself(timed, 3000 + DRAIN_MS + MARGIN_MS);
    expect(timed.ms).toBeLessThan(3000 + 10_000);
    console.log(`schedule start: ${afterSigterm.ms} ms from SIGTERM to exit; ${timed.ms} ms for --for-seconds 3`);
  }, 180_000);
});

describe('a finished command whose process does not end by itself', () => {
  it('is ended after the grace time with its exit code, naming what was still open', () => {
    vi.useFakeTimers();
    try {
      const exit = vi.fn();
      const lines: string[] = [];
      endProcessAfterGrace(3, {
        graceMs: 2000,
        exit,
        write: (text) => lines.push(text),
        resources: () => ['Timeout', 'Timeout', 'TCPSocketWrap'],
      });
      vi.advanceTimersByTime(1999);
      expect(exit).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(exit).toHaveBeenCalledWith(3);
      expect(lines).toEqual([
        'dify-logs: still running 2 s after the command finished ' +
          '(open: Timeout x2, TCPSocketWrap); ending the process\n',
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});
