import { DifyConfigError, DifyLogsError, VERSION } from '@dify-logs/core/cli-kit';
import { scrubKnown } from './support/known-secrets.js';
import { Command, CommanderError } from 'commander';
import { EXIT, UsageError } from './support/exit-codes.js';
import { processIo, type CliIo } from './support/io.js';

type Register = (program: Command, io: CliIo, setExit: (code: number) => void) => void;

/**
 * Every command, in the order `--help` lists them, each loaded when it is run: `dify-logs export` does not load the
 * scheduler, the report renderers or the YAML parser, which keeps start-up near the cost of Node and core's client.
 */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ['run', async () => (await import('./commands/run.js')).registerRun],
  ['backfill', async () => (await import('./commands/backfill.js')).registerBackfill],
  ['report', async () => (await import('./commands/report.js')).registerReport],
  ['notify', async () => (await import('./commands/notify.js')).registerNotify],
  ['archive', async () => (await import('./commands/archive.js')).registerArchive],
  ['dataset', async () => (await import('./commands/dataset.js')).registerDataset],
  ['schedule', async () => (await import('./commands/schedule.js')).registerSchedule],
  ['worker', async () => (await import('./commands/worker.js')).registerWorker],
  ['serve', async () => (await import('./commands/serve.js')).registerServe],
  ['runs', async () => (await import('./commands/runs.js')).registerRuns],
  ['export', async () => (await import('./commands/export.js')).registerExport],
  ['probe', async () => (await import('./commands/probe.js')).registerProbe],
  ['sim', async () => (await import('./commands/sim.js')).registerSim],
  ['demo', async () => (await import('./commands/demo.js')).registerDemo],
  ['logs', async () => (await import('./commands/logs.js')).registerLogs],
  ['config', async () => (await import('./commands/config.js')).registerConfig],
  ['secrets', async () => (await import('./commands/secrets.js')).registerSecrets],
  ['reports', async () => (await import('./commands/reports.js')).registerReports],
  ['cleanup', async () => (await import('./commands/cleanup.js')).registerCleanup],
];

/** The command named first, or every command (for help, the version, a typo's suggestion). */
function commandsFor(argv: string[]): Promise<Register[]> {
  const named = COMMANDS.find(([name]) => name === argv[0]);
  return Promise.all((named ? [named] : COMMANDS).map(([, load]) => load()));
}

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
  for (const register of await commandsFor(argv)) register(program, io, setExit);
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
