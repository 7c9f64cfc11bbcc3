import { DifyConfigError, DifyLogsError, VERSION } from '@dify-logs/core';
import { scrubKnown } from './support/known-secrets.js';
import { Command, CommanderError } from 'commander';
import { registerBackfill } from './commands/backfill.js';
import { registerCleanup } from './commands/cleanup.js';
import { registerConfig } from './commands/config.js';
import { registerDemo } from './commands/demo.js';
import { registerReport } from './commands/report.js';
import { registerNotify } from './commands/notify.js';
import { registerArchive } from './commands/archive.js';
import { registerSchedule } from './commands/schedule.js';
import { registerRuns } from './commands/runs.js';
import { registerWorker } from './commands/worker.js';
import { registerExport } from './commands/export.js';
import { registerLogs } from './commands/logs.js';
import { registerProbe } from './commands/probe.js';
import { registerReports } from './commands/reports.js';
import { registerRun } from './commands/run.js';
import { registerSecrets } from './commands/secrets.js';
import { registerSim } from './commands/sim.js';
import { EXIT, UsageError } from './support/exit-codes.js';
import { processIo, type CliIo } from './support/io.js';

/** Runs the `dify-logs` command with `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('dify-logs')
    .description('Dify workflow run logs: export, probe, simulate')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  const setExit = (code: number) => {
    exitCode = code;
  };
  registerRun(program, io, setExit);
  registerBackfill(program, io, setExit);
  registerReport(program, io, setExit);
  registerNotify(program, io, setExit);
  registerArchive(program, io, setExit);
  registerSchedule(program, io, setExit);
  registerWorker(program, io, setExit);
  registerRuns(program, io, setExit);
  registerExport(program, io, setExit);
  registerProbe(program, io, setExit);
  registerSim(program, io, setExit);
  registerDemo(program, io, setExit);
  registerLogs(program, io, setExit);
  registerConfig(program, io, setExit);
  registerSecrets(program, io, setExit);
  registerReports(program, io, setExit);
  registerCleanup(program, io, setExit);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    )
      return EXIT.ok;
    return EXIT.usage;
  }
  if (error instanceof UsageError || DifyConfigError.isInstance(error)) {
    io.stderr.write(`dify-logs: ${scrubKnown(io, error.message)}\n`);
    return EXIT.usage;
  }
  const message = scrubKnown(io, error instanceof Error ? error.message : String(error));
  const code = DifyLogsError.isInstance(error) ? ` [${error.code}]` : '';
  io.stderr.write(`dify-logs: failed${code}: ${message}\n`);
  return EXIT.failed;
}
