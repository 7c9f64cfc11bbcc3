import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startSimulator } from '@dify-logs/dify-sim';
import type { Command } from 'commander';
import { positiveInteger } from '../support/connection.js';
import { EXIT } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';
import { runExport } from './export.js';

interface DemoFlags {
  outDir: string;
  runs: string;
}

export function registerDemo(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description('start the Dify simulator, export every workflow app with run detail and node executions, and say where the files are')
    .option('--out-dir <dir>', 'where to write the export', 'dify-logs-demo')
    .option('--runs <n>', 'runs per simulated app', '300')
    .action(async (flags: DemoFlags) => setExit(await runDemo(flags, io)));
}

export async function runDemo(flags: DemoFlags, io: CliIo): Promise<number> {
  const outDir = resolve(io.cwd, flags.outDir);
  await mkdir(outDir, { recursive: true });
  const simulator = await startSimulator({ port: 0, runsPerApp: positiveInteger('--runs', flags.runs, 1), seed: 1 });
  io.stdout.write(`Dify simulator (${simulator.version}) listening at ${simulator.url}\n`);
  const files: string[] = [];
  let worst: number = EXIT.ok;
  try {
    for (const app of simulator.apps.filter((candidate) => candidate.mode === 'workflow')) {
      const out = join(outDir, `runs-${app.id}.ndjson`);
      const code = await runExport(
        {
          baseUrl: simulator.url,
          apiKey: app.apiKey,
          appId: app.id,
          consoleEmail: simulator.account.email,
          consolePassword: simulator.account.password,
          withDetails: true,
          withNodeExecutions: true,
          pageSize: '100',
          concurrency: '8',
          format: 'ndjson',
          out,
          logLevel: 'warn',
        },
        { ...io, env: {} },
      );
      worst = Math.max(worst, code);
      files.push(`${app.name}: ${out}`);
    }
  } finally {
    await simulator.close();
  }
  io.stdout.write(`\nDemo finished. One NDJSON file of RunRecords per app:\n${files.map((line) => `  ${line}`).join('\n')}\n`);
  return worst;
}
