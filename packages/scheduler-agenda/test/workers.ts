import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const script = fileURLToPath(new URL('./fixtures/worker.ts', import.meta.url));

export interface WorkerProcess {
  name: string;
  /** The tsx launcher; signals for the worker go to `pid`. */
  child: ChildProcess;
  /** The worker's own process (tsx runs it as a child of `child`). */
  pid: number;
  kill(signal: NodeJS.Signals): void;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Starts test/fixtures/worker.ts in its own process; resolves once it has started scheduling. */
export async function startWorker(name: string, env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(tsx, ['--conditions=dev-source', script], {
    env: { ...process.env, WORKER: name, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const deadline = Date.now() + 30_000;
  let pid: number | undefined;
  while (pid === undefined) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`worker ${name} did not start:\n${output}`);
    const ready = new RegExp(`ready ${name} pid (\\d+)`).exec(output);
    if (ready) pid = Number(ready[1]);
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  };
  return { name, child, pid, kill, output: () => output, exited };
}

export interface ResultLine {
  kind: 'start' | 'done';
  tick: string;
  runId: string;
  worker: string;
  pid?: number;
  /** When a run started (epoch ms). */
  at?: number;
}

export function readResults(path: string): ResultLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [kind, tick, runId, worker, pid, at] = line.split(' ');
      return {
        kind: kind as 'start' | 'done',
        tick: tick!,
        runId: runId!,
        worker: worker!,
        ...(pid ? { pid: Number(pid) } : {}),
        ...(at ? { at: Number(at) } : {}),
      };
    });
}
