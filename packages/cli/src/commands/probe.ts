import { createDifyClient } from '@dify-logs/core';
import type { ProbeResult } from '@dify-logs/core/client';
import type { Command } from 'commander';
import { addConnectionOptions, resolveConnection, type ConnectionFlags } from '../support/connection.js';
import { EXIT } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';
import { createCliLogger } from '../support/logger.js';

interface ProbeFlags extends ConnectionFlags {
  json?: boolean;
  logLevel?: string;
}

export function registerProbe(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const command = program
    .command('probe')
    .description('say which Dify release this is and what the credentials can reach');
  addConnectionOptions(command)
    .option('--json', 'print the result as JSON')
    .option('--log-level <level>', 'log level [env LOG_LEVEL]')
    .action(async (flags: ProbeFlags) => setExit(await runProbe(flags, io)));
}

export async function runProbe(flags: ProbeFlags, io: CliIo): Promise<number> {
  const logger = createCliLogger(io, flags.logLevel ?? 'error');
  const client = createDifyClient(resolveConnection(flags, io.env, logger));
  let result: ProbeResult;
  try {
    result = await client.probe();
  } finally {
    await client.close();
  }
  io.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatProbe(result));
  return result.level === 'none' ? EXIT.failed : EXIT.ok;
}

export function formatProbe(result: ProbeResult): string {
  const yes = (value: boolean) => (value ? 'yes' : 'no');
  const lines = [
    `Dify at ${result.baseUrl}: ` +
      `${result.serverVersion ? `release ${result.serverVersion}` : 'release unknown (GET /v1/ did not say)'}`,
    `credentials: ${result.credentials.join(', ') || 'none'}`,
    `Service API: ${result.serviceApiUrl} · Console API: ${result.consoleApiUrl}`,
  ];
  if (result.app) lines.push(`app of the API key: ${result.app.name} (${result.app.mode})`);
  if (result.consoleApps !== null) lines.push(`apps visible in the console: ${result.consoleApps}`);
  if (result.appId) lines.push(`app checked: ${result.appId}`);
  lines.push(
    `run logs: ${yes(result.tiers.runLogs)} · run detail: ${yes(result.tiers.runDetail)} · ` +
      `node executions: ${yes(result.tiers.nodeExecutions)}`,
    `reach: ${
      result.level === 'node'
        ? 'node level (runs and per-node data)'
        : result.level === 'run'
          ? 'run level only'
          : 'nothing'
    }`,
  );
  for (const app of result.apps)
    lines.push(
      `app ${app.id}${app.name ? ` (${app.name})` : ''}: ${app.data === 'none' ? 'nothing' : app.data} (${app.reason})`,
    );
  for (const problem of result.problems) lines.push(`problem: ${problem.step}: ${problem.message}`);
  return `${lines.join('\n')}\n`;
}
