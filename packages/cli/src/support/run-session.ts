import { loadConfig, type ConfigOverrides, type DifyLogsConfig, type JobConfig, type LoadedConfig, type PipelineJob } from '@dify-logs/core';
import { rememberSecrets } from './known-secrets.js';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { buildDeps, resolveApps, toPipelineJob, type RunDeps } from './build-run.js';
import { UsageError } from './exit-codes.js';
import type { CliIo } from './io.js';
import { openLogFile } from './log-file.js';
import { createCliLogger } from './logger.js';

export interface SessionFlags {
  config?: string;
  profile?: string;
  job?: string;
  logLevel?: string;
  /** Key file of `enc:v1:` values (else DIFY_LOGS_SECRET_KEY). */
  keyFile?: string;
}

/** What `run` and `backfill` share: the loaded configuration, the logger (and log file), storage, state and notifiers. */
export interface RunSession {
  loaded: LoadedConfig;
  config: DifyLogsConfig;
  logger: Logger;
  deps: RunDeps;
  /** The jobs `--job` selected (all when absent). */
  jobs: JobConfig[];
  /** The fetch the Dify clients use (the worker counts requests through it); the global one when unset. */
  fetch?: typeof globalThis.fetch;
  /** Resolves the job's apps, runs `task` with its pipeline job, and closes the apps' clients. */
  withJob<T>(job: JobConfig, window: PipelineJob['window'] | undefined, task: (pipelineJob: PipelineJob) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `overrides` are the strongest configuration source (the demo's embedded defaults). */
export async function openRunSession(flags: SessionFlags, io: CliIo, overrides?: ConfigOverrides): Promise<RunSession> {
  const loaded = await loadConfig({ file: flags.config, profile: flags.profile, env: io.env, cwd: io.cwd, overrides, keyFile: flags.keyFile });
  const { config } = loaded;
  rememberSecrets(io, loaded.secrets);
  const jobs = flags.job ? config.jobs.filter((job) => job.name === flags.job) : config.jobs;
  if (jobs.length === 0) throw new UsageError(`no job named ${JSON.stringify(flags.job)} (have ${config.jobs.map((job) => job.name).join(', ')})`);
  const logFile = config.logging.dir ? await openLogFile(resolve(io.cwd, config.logging.dir), config.logging.retentionDays) : undefined;
  const logger = createCliLogger(io, flags.logLevel ?? config.logging.level, logFile, loaded.secrets);
  const deps = await buildDeps(config, io.cwd, (text) => io.stderr.write(text));
  const session: RunSession = {
    loaded,
    config,
    logger,
    deps,
    jobs,
    async withJob(job, window, task) {
      const apps = await resolveApps(config, job, config.jobs.indexOf(job), logger, session.fetch);
      const pipelineJob = toPipelineJob(job, apps, window, { prices: config.prices, templates: config.notification.templates });
      try {
        return await task(pipelineJob);
      } finally {
        await Promise.all(apps.map((app) => app.client.close()));
      }
    },
    async close() {
      await deps.state.close?.();
      await deps.storage.close?.();
      for (const sink of deps.sinks) await sink.close?.();
      if (logFile) {
        logger.flush();
        await new Promise<void>((done) => {
          logFile.once('close', () => done());
          logFile.once('finish', () => done());
          logFile.end();
        });
      }
    },
  };
  return session;
}
