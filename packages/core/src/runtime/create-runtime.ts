import type { RunRecord } from '../records/schema.js';
import type { Deployment, DeploymentHandler } from '../adapters/scheduler.js';
import type { StateStore } from '../adapters/state.js';
import { readArchive, readArchivedConversations, readArchivedMessages } from '../archive/archive-reader.js';
import { loadConfig, type ConfigOverrides, type LoadedConfig } from '../config/load.js';
import type { DifyLogsConfig, JobConfig } from '../config/schema.js';
import { DifyConfigError } from '../errors/config-error.js';
import { silentLogger, teeLogger, type Logger } from '../logging/logger.js';
import { scrub } from '../logging/redact.js';
import { backfill as runBackfill, type BackfillOptions, type BackfillResult } from '../pipeline/backfill.js';
import {
  renderReports,
  type RecordFiles,
  type RenderedReports,
  type RenderReportsOptions,
} from '../pipeline/render-reports.js';
import { runPipeline } from '../pipeline/run-pipeline.js';
import type { PipelineDeps, PipelineEvent, PipelineJob, PipelineResult } from '../pipeline/types.js';
import { toPluginRegistry, type PluginRegistry, type PluginsOption } from '../plugins/registry.js';
import type { PluginContext } from '../plugins/types.js';
import { resolveApps } from './apps.js';
import { configuredDeployments, deploymentWindow, untilAborted } from './deployments.js';
import type { Notifier } from '../adapters/notifier.js';
import type { StorageAdapter } from '../adapters/storage.js';
import type { ArchivePartFormat } from '../archive/archive-writer.js';
import {
  formatReporters,
  openArchiveFormats,
  openNotifier,
  openNotifiers,
  openSinks,
  openState,
  openStorage,
  pluginContext,
  type RuntimeDeps,
} from './deps.js';
import { explorerUrl, reportFormats, toPipelineJob } from './pipeline-job.js';
import { archiveEdits, type ArchiveEdits } from './archive-edits.js';

export interface DifyLogsOptions {
  /** The configuration: an object in the configuration file's shape, or the path of a YAML or JSON file. */
  config: string | Record<string, unknown>;
  /**
   * The adapter plugins the configuration may name (`plugin` of each package: storage, notifiers, sinks, formats,
   * scheduler).
   */
  plugins?: PluginsOption;
  /** A profile of the configuration. */
  profile?: string;
  /**
   * Environment variables read into the configuration (core's `DIFY_*` … and each plugin's). Explicit: nothing is read
   * from `process.env` unless it is passed here (the CLI passes `process.env`).
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where relative paths start (default `process.cwd()`); a `.env` file there is read only when `env` is given. */
  cwd?: string;
  /** Keys set by the caller, over every other source (the CLI's flags). */
  overrides?: ConfigOverrides;
  /** A file holding the key of `enc:v1:` values (else `DIFY_LOGS_SECRET_KEY` in `env`). */
  keyFile?: string;
  /**
   * Default: silent. A pino logger (or any with the same methods), or a function of the loaded configuration (its
   * `logging` section).
   */
  logger?: Logger | ((loaded: LoadedConfig) => Logger | Promise<Logger>);
  /** The fetch the Dify clients use (the worker counts requests through it). */
  fetch?: typeof globalThis.fetch;
  /** Where the console notifier writes (default: standard output). */
  write?: (text: string) => void;
}

/** Per-call options of `run` and `backfill`. */
export interface RunOverrides {
  /**
   * An explicit window (`{ mode: 'explicit', from, to }`, templates allowed) or `{ mode: 'incremental' }`; default the
   * job's.
   */
  window?: PipelineJob['window'];
  /** Progress, records, stage events. */
  onEvent?: (event: PipelineEvent, job: JobConfig) => void;
  /** "Now" for window templates (a scheduled tick's time). */
  now?: () => Date;
  runId?: string;
  logger?: Logger;
  /** Stops between jobs (and, for backfill, between days). */
  signal?: AbortSignal;
}

export interface ReportOptions {
  /**
   * The records: an iterable of RunRecords, NDJSON files (read on `threads` threads), or a window of the configured
   * storage's partitioned archive.
   */
  records: AsyncIterable<RunRecord> | RecordFiles | { archive: { from: string; to: string; app?: string } };
  /** The job whose formats, time zone, prices and anomaly thresholds apply (default: the first). */
  job?: string;
  /** Formats (default the job's `outputFormat` without ndjson). */
  formats?: string[];
  window?: RenderReportsOptions['window'];
  /** Threads that read `files` (see `renderReports`; default the cores, at most 4, from 64 MiB). */
  threads?: number;
  /** Where the CSV files are staged, complete, to be moved (see `renderReports`). */
  stageDir?: string;
}

export interface DifyLogs extends ArchiveEdits {
  /** The validated configuration (defaults filled in, the profile applied). */
  readonly config: DifyLogsConfig;
  /** Where each key came from, and every secret value in effect (to scrub logs). */
  readonly loaded: LoadedConfig;
  readonly plugins: PluginRegistry;
  readonly logger: Logger;
  /**
   * The run explorer's public address (`serve.publicUrl` of `@dify-logs/explorer`), when configured: reports and
   * notifications link to its pages.
   */
  readonly explorerUrl: string | undefined;
  /** Storage, state, notifiers, report formats and sinks; opened on first use, shared by every call. */
  deps(): Promise<RuntimeDeps>;
  /** The configured storage alone (opened once; what `deps()` uses too). */
  storage(): Promise<StorageAdapter>;
  /** The archive formats of `storage.archiveFormats`. */
  archiveFormats(): Promise<ArchivePartFormat[]>;
  /** One notifier of a type (configured or not enabled): a test message, a channel check. */
  notifier(type: string): Promise<Notifier>;
  /** Replaces the state store (a scheduler keeps state in its own database); the old one is closed. */
  useState(state: StateStore): Promise<void>;
  /** The jobs of the configuration, or the one named (a DifyConfigError when there is none). */
  jobs(name?: string): JobConfig[];
  /** Runs the whole pipeline once for each job (or the one named): fetch, enrich, report, store, notify. */
  run(job?: string, overrides?: RunOverrides): Promise<PipelineResult[]>;
  /** Re-processes a past range day by day, resumably (one archive and one report per day). */
  backfill(
    range: { from: string; to: string; job?: string; onChunk?: BackfillOptions['onChunk'] },
    overrides?: RunOverrides,
  ): Promise<BackfillResult[]>;
  /** Reports from records already at hand (never calls Dify): the configured formats, prices and time zone. */
  report(options: ReportOptions): Promise<RenderedReports>;
  /** The configured deployments (`deployments`, and jobs with a `schedule`). */
  deployments(): Deployment[];
  /** Runs a deployment as `run` would, for any scheduler; `onResult` sees each pipeline result. */
  deploymentHandler(options?: {
    onResult?: (deployment: string, result: PipelineResult, seconds: number) => void;
    write?: (line: string) => void;
  }): DeploymentHandler;
  /** The context adapter plugins are created with (for a scheduler plugin's `create`). */
  pluginContext(): PluginContext;
  /** Closes state, storage and sinks. */
  close(): Promise<void>;
}

/**
 * One runtime from configuration to a running deployment: loads and validates the configuration against core's keys and
 * the plugins' sections, builds the adapters through the plugins, and runs jobs, backfills, reports and deployments.
 */
export async function createDifyLogs(options: DifyLogsOptions): Promise<DifyLogs> {
  const plugins = toPluginRegistry(options.plugins);
  const cwd = options.cwd ?? process.cwd();
  const loaded = await loadConfig({
    ...(typeof options.config === 'string' ? { file: options.config } : { document: options.config }),
    plugins,
    env: options.env ?? {},
    ...(options.env ? {} : { envFile: false as const }),
    cwd,
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(options.keyFile ? { keyFile: options.keyFile } : {}),
  });
  const { config } = loaded;
  const explorer = explorerUrl(plugins, config as Readonly<Record<string, unknown>>);
  const logger = typeof options.logger === 'function' ? await options.logger(loaded) : (options.logger ?? silentLogger);
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  let opening: Promise<RuntimeDeps> | undefined;
  let storage: Promise<StorageAdapter> | undefined;
  let archiveFormats: Promise<ArchivePartFormat[]> | undefined;
  const openedStorage = () => (storage ??= openStorage(config, plugins, context));
  const openedArchiveFormats = () => (archiveFormats ??= openArchiveFormats(config, plugins, context));
  const deps = (): Promise<RuntimeDeps> =>
    (opening ??= (async () => {
      const shared = {
        storage: await openedStorage(),
        state: openState(config, context),
        notifiers: await openNotifiers(config, plugins, context),
        reporters: formatReporters(plugins, context),
        sinks: await openSinks(config, plugins, context),
      };
      // Opened with the rest, so a wrong archive format fails here; each job gets them in its `archive` group.
      await openedArchiveFormats();
      return shared;
    })());
  const context = pluginContext(config, cwd, logger, write, async () => (await deps()).state, plugins);

  const jobs = (name?: string): JobConfig[] => {
    if (name === undefined) return config.jobs;
    const found = config.jobs.filter((job) => job.name === name);
    if (found.length === 0)
      throw new DifyConfigError(
        'jobs',
        `no job named ${JSON.stringify(name)} (have ${config.jobs.map((job) => job.name).join(', ')})`,
      );
    return found;
  };

  /** Resolves the job's apps, runs `task` with its pipeline job, and closes the apps' clients. */
  const withJob = async <T>(
    job: JobConfig,
    window: PipelineJob['window'] | undefined,
    log: Logger,
    task: (pipelineJob: PipelineJob, shared: RuntimeDeps) => Promise<T>,
  ): Promise<T> => {
    const shared = await deps();
    const archiveFormats = await openedArchiveFormats();
    const apps = await resolveApps(config, job, config.jobs.indexOf(job), log, options.fetch);
    const pipelineJob = toPipelineJob(job, apps, window, {
      prices: config.prices,
      templates: config.notification.templates,
      ...(config.dify.retentionDays ? { retentionDays: config.dify.retentionDays } : {}),
      privacy: config.privacy,
      archive: { formats: archiveFormats, ndjson: config.storage.archiveNdjson },
      explorerUrl: explorer,
    });
    try {
      return await task(pipelineJob, shared);
    } finally {
      await Promise.all(apps.map((app) => app.client.close()));
    }
  };
  const pipelineDeps = (shared: RuntimeDeps, job: JobConfig, overrides: RunOverrides): PipelineDeps => ({
    ...shared,
    logger: overrides.logger ?? logger,
    ...(overrides.onEvent ? { onEvent: (event: PipelineEvent) => overrides.onEvent!(event, job) } : {}),
    ...(overrides.now ? { now: overrides.now } : {}),
    ...(overrides.runId ? { runId: overrides.runId } : {}),
  });

  const runtime: DifyLogs = {
    config,
    loaded,
    plugins,
    logger,
    explorerUrl: explorer,
    deps,
    storage: openedStorage,
    archiveFormats: openedArchiveFormats,
    notifier: (type) => openNotifier(config, plugins, context, type),
    async useState(state) {
      const shared = await deps();
      await shared.state.close?.();
      shared.state = state;
    },
    jobs,
    async run(name, overrides = {}) {
      const results: PipelineResult[] = [];
      for (const job of jobs(name)) {
        if (overrides.signal?.aborted) break;
        const log = overrides.logger ?? logger;
        results.push(
          await withJob(job, overrides.window, log, (pipelineJob, shared) =>
            runPipeline(pipelineJob, pipelineDeps(shared, job, overrides)),
          ),
        );
      }
      return results;
    },
    async backfill(range, overrides = {}) {
      const results: BackfillResult[] = [];
      for (const job of jobs(range.job)) {
        const log = overrides.logger ?? logger;
        const result = await withJob(job, undefined, log, (pipelineJob, shared) =>
          runBackfill(pipelineJob, pipelineDeps(shared, job, overrides), {
            from: range.from,
            to: range.to,
            ...(overrides.signal ? { signal: overrides.signal } : {}),
            ...(range.onChunk ? { onChunk: range.onChunk } : {}),
          }),
        );
        results.push(result);
        if (result.status === 'failed' || result.status === 'aborted') break;
      }
      return results;
    },
    async report(request) {
      const job = request.job === undefined ? config.jobs[0]! : jobs(request.job)[0]!;
      const shared = await deps();
      // Records given, or the archive's runs and (for the conversation section) its messages of the same days.
      const source = request.records;
      const archived = 'archive' in source ? source.archive : undefined;
      const query = archived && {
        from: archived.from,
        to: archived.to,
        job: job.name,
        ...(archived.app ? { app: archived.app } : {}),
      };
      const records = query ? readArchive(shared.storage, query) : (source as AsyncIterable<RunRecord> | RecordFiles);
      const formats = request.formats ?? reportFormats(job);
      return renderReports(records, {
        job: job.name,
        formats: formats.length > 0 ? formats : ['json'],
        reporters: shared.reporters,
        timezone: job.timezone,
        ...(request.window ? { window: request.window } : {}),
        ...(config.prices ? { prices: config.prices } : {}),
        ...(job.anomalies ? { anomalies: job.anomalies } : {}),
        privacy: config.privacy,
        ...(explorer ? { explorerUrl: explorer } : {}),
        ...(request.threads !== undefined ? { threads: request.threads } : {}),
        ...(request.stageDir !== undefined ? { stageDir: request.stageDir } : {}),
        ...(query
          ? {
              messages: readArchivedMessages(shared.storage, query),
              conversations: readArchivedConversations(shared.storage, query),
            }
          : {}),
      });
    },
    ...archiveEdits(
      config,
      { storage: openedStorage, archiveFormats: openedArchiveFormats, sinks: async () => (await deps()).sinks },
      logger,
    ),
    deployments: () => configuredDeployments(config),
    deploymentHandler(handlerOptions = {}) {
      const secrets = loaded.secrets.filter((secret) => secret.length >= 4);
      return async (deployment, run) => {
        const job = jobs(deployment.job)[0]!;
        const started = performance.now();
        const log = teeLogger(logger.child({ deployment: deployment.name, deploymentRun: run.run.id }), (line) =>
          run.log(scrub(line, secrets)),
        );
        const pipeline = withJob(job, deploymentWindow(run.parameters), log, (pipelineJob, shared) =>
          runPipeline(
            { ...pipelineJob, timezone: deployment.timezone ?? pipelineJob.timezone },
            {
              ...shared,
              logger: log,
              runId: run.run.id,
              now: () => (run.run.trigger === 'manual' ? new Date() : run.scheduledFor),
            },
          ),
        );
        // A stopping scheduler gets the run back at once; the pipeline commits its state only at its end, so the
        // cut-off run is simply done again.
        const result = await untilAborted(pipeline, run.signal);
        handlerOptions.onResult?.(deployment.name, result, (performance.now() - started) / 1000);
        const problems = result.problems.map((problem) => problem.message).join('; ');
        handlerOptions.write?.(
          `${deployment.name} ${run.run.id}: ${result.status} (${result.analysis?.runs ?? 0} runs)` +
            `${result.problems.length ? `: ${problems}` : ''}\n`,
        );
        return {
          status: result.status,
          summary: {
            runs: result.analysis?.runs ?? 0,
            window: result.window,
            reports: result.reports.map((report) => report.location),
            alerts: result.alerts.length,
          },
          ...(result.status === 'succeeded'
            ? {}
            : { error: result.problems.map((problem) => `${problem.stage}: ${problem.message}`).join('; ') }),
        };
      };
    },
    pluginContext: () => context,
    async close() {
      const shared = await opening?.catch(() => undefined);
      const openStorageAdapter = await storage?.catch(() => undefined);
      opening = undefined;
      storage = undefined;
      await shared?.state.close?.();
      await openStorageAdapter?.close?.();
      for (const sink of shared?.sinks ?? []) await sink.close?.();
    },
  };
  return runtime;
}
