import type { Command } from 'commander';
import { untilStopped } from '../support/end-process.js';
import { addConfigOptions } from '../support/config-flags.js';
import { EXIT, UsageError } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';
import { openRuntime } from '../support/runtime.js';

interface ServeFlags {
  config?: string;
  profile?: string;
  keyFile?: string;
  logLevel?: string;
  host?: string;
  port?: string;
  indexFile?: string;
  refreshSeconds?: string;
  forSeconds?: string;
}

function whole(flag: string, text: string | undefined, maximum = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > maximum)
    throw new UsageError(`${flag} must be a whole number from 0 to ${maximum}`);
  return value;
}

export function registerServe(program: Command, io: CliIo, setExit: (code: number) => void): void {
  addConfigOptions(
    program
      .command('serve')
      .description(
        'the run explorer: a read-only web UI and JSON API over the archive (runs, nodes, errors, statistics), ' +
          'indexed in-process and refreshed as new partitions land',
      ),
  )
    .option('--host <address>', 'address to listen on (beyond loopback: serve.token or serve.basic) [serve.host]')
    .option('--port <n>', 'port (0: any free port) [serve.port, default 8080]')
    .option('--index-file <file>', 'the DuckDB index (`:memory:` for none) [serve.indexFile]')
    .option(
      '--refresh-seconds <n>',
      'seconds between looks for new partitions (0: at start only) [serve.refreshSeconds]',
    )
    .option('--log-level <level>', 'log level [env LOG_LEVEL]')
    .option('--for-seconds <n>', 'stop by itself after this many seconds (demos, smoke tests)')
    .action(async (flags: ServeFlags) => setExit(await runServe(flags, io)));
}

async function runServe(flags: ServeFlags, io: CliIo): Promise<number> {
  const port = whole('--port', flags.port, 65_535);
  const refreshSeconds = whole('--refresh-seconds', flags.refreshSeconds);
  const forSeconds = whole('--for-seconds', flags.forSeconds);
  const { serveExplorer } = await import('@dify-logs/explorer');
  const cli = await openRuntime(flags, io);
  let explorer: Awaited<ReturnType<typeof serveExplorer>>;
  try {
    explorer = await serveExplorer(cli.runtime, {
      ...(flags.host ? { host: flags.host } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(flags.indexFile ? { indexFile: flags.indexFile } : {}),
      ...(refreshSeconds !== undefined ? { refreshSeconds } : {}),
    });
  } catch (error) {
    await cli.close();
    throw error;
  }
  io.stdout.write(`explorer on ${explorer.url} (read-only; Ctrl-C stops it)\n`);
  await untilStopped(forSeconds);
  await explorer.close();
  await cli.close();
  io.stdout.write('stopped\n');
  return EXIT.ok;
}
