import { createDifyLogs, type ConfigOverrides, type DifyLogs, type JobConfig } from '@dify-logs/core';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { UsageError } from './exit-codes.js';
import type { CliIo } from './io.js';
import { rememberSecrets } from './known-secrets.js';
import { openLogFile } from './log-file.js';
import { createCliLogger } from './logger.js';
import { PLUGINS } from './config-flags.js';

export interface RuntimeFlags {
  config?: string;
  profile?: string;
  job?: string;
  logLevel?: string;
  /** Key file of `enc:v1:` values (else DIFY_LOGS_SECRET_KEY). */
  keyFile?: string;
}

/** A command's runtime: every first-party plugin, the process environment, the CLI's logger (and log file). */
export interface CliRuntime {
  runtime: DifyLogs;
  logger: Logger;
  /** The jobs `--job` selected (all when absent). */
  jobs: JobConfig[];
  close(): Promise<void>;
}

/** `overrides` are the strongest configuration source (the demo's embedded defaults). */
export async function openRuntime(
  flags: RuntimeFlags,
  io: CliIo,
  options: { overrides?: ConfigOverrides; fetch?: typeof globalThis.fetch } = {},
): Promise<CliRuntime> {
  let logFile: Awaited<ReturnType<typeof openLogFile>> | undefined;
  let logger: Logger | undefined;
  const runtime = await createDifyLogs({
    config: flags.config ?? {},
    plugins: PLUGINS,
    env: io.env,
    cwd: io.cwd,
    write: (text) => void io.stderr.write(text),
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(flags.keyFile ? { keyFile: flags.keyFile } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    logger: async ({ config, secrets }) => {
      rememberSecrets(io, secrets);
      logFile = config.logging.dir
        ? await openLogFile(resolve(io.cwd, config.logging.dir), config.logging.retentionDays)
        : undefined;
      logger = createCliLogger(io, flags.logLevel ?? config.logging.level, logFile, secrets);
      return logger;
    },
  });
  const { config } = runtime;
  const jobs = flags.job ? config.jobs.filter((job) => job.name === flags.job) : config.jobs;
  if (jobs.length === 0) {
    await runtime.close();
    throw new UsageError(
      `no job named ${JSON.stringify(flags.job)} (have ${config.jobs.map((job) => job.name).join(', ')})`,
    );
  }
  const finalLogger = logger!;
  return {
    runtime,
    logger: finalLogger,
    jobs,
    async close() {
      await runtime.close();
      if (logFile) {
        finalLogger.flush();
        const file = logFile;
        await new Promise<void>((done) => {
          file.once('close', () => done());
          file.once('finish', () => done());
          file.end();
        });
      }
    },
  };
}
