import { resolve } from 'node:path';
import { startSimulator } from '@dify-logs/dify-sim';
import type { Command } from 'commander';
import { positiveInteger } from '../support/connection.js';
import type { CliIo } from '../support/io.js';
import { runRun } from './run.js';

interface DemoFlags {
  outDir: string;
  runs: string;
}

export function registerDemo(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description(
      'start the Dify simulator and run the whole pipeline on it with the embedded ' +
        'defaults (local storage, console notifier); say where the reports are',
    )
    .option('--out-dir <dir>', 'where reports, archives and state go', 'dify-logs-demo')
    .option('--runs <n>', 'runs per simulated app', '300')
    .action(async (flags: DemoFlags) => setExit(await runDemo(flags, io)));
}

export async function runDemo(flags: DemoFlags, io: CliIo): Promise<number> {
  const outDir = resolve(io.cwd, flags.outDir);
  const simulator = await startSimulator({
    port: 0,
    runsPerApp: positiveInteger('--runs', flags.runs, 1),
    seed: 1,
    days: 7,
    runningRuns: 0,
  });
  io.stdout.write(`Dify simulator (${simulator.version}) listening at ${simulator.url}\n\n`);
  try {
    const workflowApps = simulator.apps.filter((app) => app.mode === 'workflow');
    // The same configuration a user would write, given as the strongest source: nothing of the environment leaks in.
    const code = await runRun(
      { from: new Date(Date.now() - 8 * 86_400_000).toISOString(), to: new Date().toISOString(), logLevel: 'warn' },
      { ...io, env: {} },
      {
        dify: {
          baseUrl: simulator.url,
          console: { email: simulator.account.email, password: simulator.account.password },
        },
        apps: workflowApps.map((app) => ({ id: app.id, name: app.name, apiKey: app.apiKey })),
        jobs: [
          {
            name: 'demo',
            withDetails: true,
            withNodeExecutions: true,
            outputFormat: ['json', 'markdown', 'html', 'csv'],
            notifyOn: ['report-ready', 'failure'],
          },
        ],
        storage: { type: 'local', baseDir: outDir },
        state: { type: 'file' },
        notification: { enabled: true, type: ['console'] },
        logging: { level: 'warn' },
      },
    );
    io.stdout.write(
      `\nDemo finished: reports under ${resolve(outDir, 'reports')}, ` +
        `the NDJSON archive of every run under ${resolve(outDir, 'data')}.\n`,
    );
    return code;
  } finally {
    await simulator.close();
  }
}
