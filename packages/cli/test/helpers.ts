import { PassThrough, Readable } from 'node:stream';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type DifySimulator, type SimulatorOptions } from '@dify-logs/dify-sim';
import { afterEach } from 'vitest';
import { main } from '../src/index.js';

const running: DifySimulator[] = [];

export async function sim(options: SimulatorOptions = {}): Promise<DifySimulator> {
  const simulator = await startSimulator({ seed: 3, runsPerApp: 60, now: '2026-03-10T12:00:00Z', ...options });
  running.push(simulator);
  return simulator;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'dify-logs-cli-'));
}

/** Runs `dify-logs <argv>` in-process and captures what it prints; `stdin` is what standard input holds. */
export async function cli(argv: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; stdin?: string } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const stdin = options.stdin === undefined ? undefined : Readable.from([Buffer.from(options.stdin, 'utf8')]);
  const code = await main(argv, {
    stdout,
    stderr,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    ...(stdin ? { stdin } : {}),
  });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** Every file below `dir` (none when it does not exist). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((name) => join(dir, String(name)))
    .filter((path) => statSync(path).isFile());
}

/**
 * Writes `dir/dify-logs.yaml`: every app of the simulator's workspace, read with its console account, by one job
 * `daily` from yesterday to tomorrow; `job` adds lines to the job, `storage` replaces the local storage line, `sinks`
 * adds a `sinks:` section.
 */
export async function writeWorkspaceConfig(
  dir: string,
  simulator: DifySimulator,
  options: { job?: string[]; storage?: string; sinks?: string[] } = {},
): Promise<void> {
  await writeFile(
    join(dir, 'dify-logs.yaml'),
    [
      'dify:',
      `  baseUrl: ${simulator.url}`,
      `  console: { email: ${simulator.account.email}, password: ${simulator.account.password} }`,
      'jobs:',
      '  - name: daily',
      '    apps: all',
      '    window: { mode: explicit, from: "{{yesterday}}", to: "{{tomorrow}}" }',
      ...(options.job ?? []),
      options.storage ?? 'storage: { baseDir: ./outputs }',
      ...(options.sinks ? ['sinks:', ...options.sinks] : []),
      'logging: { level: warn }',
      '',
    ].join('\n'),
  );
}
