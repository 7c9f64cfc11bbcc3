import { DifyConfigError, describeSources, type DifyLogsConfig, type LoadedConfig } from '@dify-logs/core';
import { redactConfig } from '@dify-logs/core/internal';
import type { Command } from 'commander';
import { addConfigOptions, loadFromFlags, type ConfigFlags } from '../support/config-flags.js';
import { EXIT } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';

interface PrintFlags extends ConfigFlags {
  json?: boolean;
}

export function registerConfig(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const config = program.command('config').description('check and show the effective configuration (secrets redacted)');
  addConfigOptions(
    config
      .command('check')
      .description('load and validate the configuration: a summary, or every problem on its own line (exit 2)'),
  ).action(async (flags: ConfigFlags) => setExit(await runConfigCheck(flags, io)));
  addConfigOptions(
    config.command('print').description('one `key = value (source)` line per key, secrets shown as [redacted]'),
  )
    .option('--json', 'the effective configuration as JSON, secrets redacted')
    .action(async (flags: PrintFlags) => setExit(await runConfigPrint(flags, io)));
}

export async function runConfigCheck(flags: ConfigFlags, io: CliIo): Promise<number> {
  let loaded: LoadedConfig;
  try {
    loaded = await loadFromFlags(flags, io);
  } catch (error) {
    if (!DifyConfigError.isInstance(error)) throw error;
    // The message lists every problem, one `key: message` line each (the first line starts with `key: `).
    for (const line of error.message.split('\n')) io.stderr.write(`${line}\n`);
    return EXIT.usage;
  }
  io.stdout.write(formatSummary(loaded));
  return EXIT.ok;
}

export async function runConfigPrint(flags: PrintFlags, io: CliIo): Promise<number> {
  const loaded = await loadFromFlags(flags, io);
  io.stdout.write(
    flags.json ? `${JSON.stringify(redactConfig(loaded), null, 2)}\n` : `${describeSources(loaded).join('\n')}\n`,
  );
  return EXIT.ok;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** The one-screen summary of a loaded configuration, built from its redacted copy: no secret can appear. */
export function formatSummary(loaded: LoadedConfig): string {
  const config = redactConfig(loaded);
  const lines = [
    `configuration OK (profile ${loaded.profile ?? 'none'}, file ${loaded.file ?? 'none: environment only'}` +
      `): ${plural(config.jobs.length, 'job')}, ${describeApps(config)}`,
  ];
  lines.push(`  dify     ${config.dify.baseUrl} (${credentials(config)})`);
  for (const job of config.jobs) {
    const apps = job.apps === undefined || job.apps === 'all' ? 'every workflow app' : job.apps.join(', ');
    const schedule = job.schedule ? `; schedule ${job.schedule}` : '';
    lines.push(
      `  job      ${job.name}: apps ${apps}; window ${job.window.mode}; formats ` +
        `${job.outputFormat.join(', ')}; report ${job.reportType}${schedule}`,
    );
  }
  const retention =
    config.storage.retentionDays === undefined ? 'kept forever' : `kept ${plural(config.storage.retentionDays, 'day')}`;
  lines.push(`  storage  ${config.storage.type} ${config.storage.baseDir} (${retention})`);
  lines.push(`  state    ${config.state.type}${config.state.type === 'file' ? ` ${config.state.path}` : ''}`);
  lines.push(`  notify   ${config.notification.enabled ? config.notification.type.join(', ') : 'disabled'}`);
  lines.push(
    `  logging  ${config.logging.level}` +
      `${config.logging.dir ? `, to ${config.logging.dir} (${plural(config.logging.retentionDays, 'file')})` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

function describeApps(config: DifyLogsConfig): string {
  if (config.jobs.some((job) => job.apps === undefined || job.apps === 'all'))
    return 'every workflow app (console access)';
  const ids = [...new Set(config.jobs.flatMap((job) => (Array.isArray(job.apps) ? job.apps : [])))];
  return `${plural(ids.length, 'app')} (${ids.join(', ')})`;
}

/** Which kinds of credentials are set: never their values. */
function credentials(config: DifyLogsConfig): string {
  const kinds = [
    config.dify.apiKey || config.apps?.some((app) => app.apiKey) ? 'API key' : undefined,
    config.dify.console ? 'console login' : undefined,
    config.dify.admin ? 'admin key' : undefined,
  ].filter((kind) => kind !== undefined);
  return kinds.length > 0 ? `credentials: ${kinds.join(', ')}` : 'no credentials';
}
