import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sim, workflowApp } from './helpers.js';

const coreDist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const pipelineDist = fileURLToPath(new URL('../../dist/pipeline.js', import.meta.url));
const localDist = fileURLToPath(new URL('../../../storage-local/dist/index.js', import.meta.url));
const built = existsSync(coreDist) && existsSync(localDist);

/** A separate process running one incremental pipeline run with file state and local storage. */
function childScript(): string {
  return `
    const { createDifyClient } = await import(${JSON.stringify(pathToFileURL(coreDist).href)});
    const { runPipeline, fileStateStore } = await import(${JSON.stringify(pathToFileURL(pipelineDist).href)});
    const { createLocalStorage } = await import(${JSON.stringify(pathToFileURL(localDist).href)});
    const [url, appId, apiKey, email, password, dir] = process.argv.slice(2);
    const client = createDifyClient({ baseUrl: url, apiKey, appId, console: { email, password }, retry: { retries: 2, \
minDelayMs: 5, maxDelayMs: 10 } });
    const job = { name: 'crashy', apps: [{ id: appId, client }], window: { mode: 'incremental', initialFrom: \
'2026-01-01T00:00:00Z' }, withNodeExecutions: true, concurrency: 4 };
    const result = await runPipeline(job, {
      storage: createLocalStorage({ baseDir: dir + '/out' }),
      state: fileStateStore({ path: dir + '/state.json' }),
      now: () => new Date('2026-03-10T12:00:00Z'),
      onEvent: (event) => { if (event.type === 'progress') process.stdout.write('exported ' + event.progress.exported \
+ '\\n'); },
    });
    process.stdout.write('result ' + JSON.stringify({ status: result.status, records: result.counts[appId].records, \
archive: result.archive && result.archive.location }) + '\\n');
  `;
}

function runChild(
  scriptPath: string,
  args: string[],
  killAfterExported?: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [scriptPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const last = [...output.matchAll(/exported (\d+)/g)].at(-1);
      if (killAfterExported !== undefined && last && Number(last[1]) >= killAfterExported) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('exit', (code, signal) => resolve({ code, signal, output }));
  });
}

describe('a run killed in the middle', () => {
  it.skipIf(!built)(
    'is redone completely by the next run, with no duplicates and nothing half-written (needs `pnpm build`)',
    async () => {
      const simulator = await sim({ version: '1.13.3', runsPerApp: 300, runningRuns: 0, faults: { latencyMs: 5 } });
      const app = workflowApp(simulator);
      const dir = mkdtempSync(join(tmpdir(), 'dify-logs-crash-'));
      const script = join(dir, 'child.mjs');
      writeFileSync(script, childScript());
      const args = [simulator.url, app.id, app.apiKey, simulator.account.email, simulator.account.password, dir];

      const killed = await runChild(script, args, 100);
      expect(killed.signal, killed.output).toBe('SIGKILL');
      // No window was committed (the state holds at most the killed run's journal entry).
      const stateAfterKill = existsSync(join(dir, 'state.json'))
        ? (await import('node:fs')).readFileSync(join(dir, 'state.json'), 'utf8')
        : '';
      expect(stateAfterKill).not.toMatch(/"watermark":\s*"/);
      const listedAfterKill = existsSync(join(dir, 'out'))
        ? readdirSync(join(dir, 'out'), { recursive: true }).filter((name) => String(name).endsWith('.ndjson'))
        : [];
      expect(listedAfterKill).toEqual([]);

      const redo = await runChild(script, args);
      const result = JSON.parse(/result (.*)/.exec(redo.output)?.[1] ?? 'null') as {
        status: string;
        records: number;
        archive: string;
      } | null;
      expect(result, redo.output).not.toBeNull();
      expect(result!.status).toBe('succeeded');
      expect(result!.records).toBe(300);
      const { readFileSync } = await import('node:fs');
      const lines = readFileSync(result!.archive, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { logId: string });
      expect(new Set(lines.map((line) => line.logId)).size).toBe(300);

      const again = await runChild(script, args);
      expect(JSON.parse(/result (.*)/.exec(again.output)![1]!)).toMatchObject({ status: 'succeeded', records: 0 });
    },
  );

  it.skipIf(!built)(
    'killed at 20 different moments (start, fetch, store, state), ' +
      'the next run always completes the period once (needs `pnpm build`)',
    async () => {
      const simulator = await sim({ version: '1.13.3', runsPerApp: 200, runningRuns: 0, faults: { latencyMs: 3 } });
      const app = workflowApp(simulator);
      const { readFileSync, rmSync } = await import('node:fs');
      // Kill delays spread over the whole run (it takes about a second here), a different moment each trial.
      // Fifteen trials at a time after the start, five the moment a later stage begins (those are short).
      const trials: Array<{ delay: number; stage?: string }> = [
        ...Array.from({ length: 15 }, (_, trial) => ({ delay: 40 + Math.round(((trial * 7919) % 15) * 90) })),
        ...['report', 'store', 'store', 'state', 'state'].map((stage) => ({ delay: 60_000, stage })),
      ];
      const stages = new Set<string>();
      for (const { delay, stage } of trials) {
        const dir = mkdtempSync(join(tmpdir(), 'dify-logs-kill-'));
        const script = join(dir, 'child.mjs');
        writeFileSync(
          script,
          childScript().replace(
            'onEvent: (event) => {',
            "onEvent: (event) => { if (event.type === 'stage-start') " +
              "process.stdout.write('stage ' + event.stage + '\\n');",
          ),
        );
        const args = [simulator.url, app.id, app.apiKey, simulator.account.email, simulator.account.password, dir];
        const killed = await new Promise<{ output: string; signal: NodeJS.Signals | null }>((resolve) => {
          const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
          let output = '';
          child.stdout.on('data', (chunk: Buffer) => {
            output += chunk.toString('utf8');
            if (stage && output.includes(`stage ${stage}\n`)) child.kill('SIGKILL');
          });
          const timer = setTimeout(() => child.kill('SIGKILL'), delay);
          child.on('exit', (_code, signal) => (clearTimeout(timer), resolve({ output, signal })));
        });
        const lastStage = [...killed.output.matchAll(/stage (\w+)/g)].at(-1)?.[1] ?? 'start';
        stages.add(killed.signal === 'SIGKILL' ? lastStage : 'finished');
        const redo = await runChild(script, args);
        const result = JSON.parse(/result (.*)/.exec(redo.output)?.[1] ?? 'null') as {
          status: string;
          records: number;
          archive: string;
        } | null;
        expect(result, `trial killed after ${delay} ms: ${redo.output}`).not.toBeNull();
        expect(result!.status).toBe('succeeded');
        // Either the killed run finished before the kill (then the redo has nothing new) or the redo did the whole
        // period.
        const archives = readdirSync(join(dir, 'out'), { recursive: true })
          .map(String)
          .filter((name) => name.endsWith('.ndjson'));
        const logIds = archives.flatMap((name) =>
          readFileSync(join(dir, 'out', name), 'utf8')
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((line) => (JSON.parse(line) as { logId: string }).logId),
        );
        expect(logIds.length, `trial killed after ${delay} ms in ${lastStage}`).toBe(200);
        expect(new Set(logIds).size).toBe(200);
        rmSync(dir, { recursive: true, force: true });
      }
      console.info(`kills landed in: ${[...stages].join(', ')}`);
      // The kills landed in several stages of the run, not only at its start.
      expect(stages.size).toBeGreaterThanOrEqual(2);
    },
    180_000,
  );
});
