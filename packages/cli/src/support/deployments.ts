import { DifyConfigError, runPipeline, scrub, teeLogger, type Deployment, type DeploymentHandler, type DifyLogsConfig, type PipelineJob, type PipelineResult } from '@dify-logs/core';
import type { RunSession } from './run-session.js';

/** The configured deployments: the `deployments` list, plus every job with a `schedule` (named after the job). */
export function configuredDeployments(config: DifyLogsConfig): Deployment[] {
  const jobs = new Set(config.jobs.map((job) => job.name));
  const listed: Deployment[] = (config.deployments ?? []).map((deployment, index) => {
    if (!jobs.has(deployment.job)) throw new DifyConfigError(`deployments.${index}.job`, `no job named ${JSON.stringify(deployment.job)} (have ${[...jobs].join(', ')})`);
    return { ...deployment, timezone: deployment.timezone ?? config.jobs.find((job) => job.name === deployment.job)!.timezone };
  });
  const fromJobs: Deployment[] = config.jobs
    .filter((job) => job.schedule && !listed.some((deployment) => deployment.name === job.name))
    .map((job) => ({ name: job.name, job: job.name, schedule: job.schedule!, timezone: job.timezone }));
  return [...listed, ...fromJobs];
}

/** A deployment's window: `parameters.from`/`to` (templates) make it explicit; `parameters.window` replaces it; else the job's. */
export function deploymentWindow(parameters: Record<string, unknown>): PipelineJob['window'] | undefined {
  if (typeof parameters.from === 'string' && typeof parameters.to === 'string') return { mode: 'explicit', from: parameters.from, to: parameters.to };
  const window = parameters.window as PipelineJob['window'] | undefined;
  return window && typeof window === 'object' && (window.mode === 'explicit' || window.mode === 'incremental') ? window : undefined;
}

/**
 * Runs a deployment as `dify-logs run` would, with the tick's time as "now" (window templates resolve
 * at the tick). The run's own log lines (info and above, secrets scrubbed) go to the run history;
 * `onResult` sees every pipeline result (the worker's metrics).
 */
export function pipelineHandler(session: RunSession, write: (line: string) => void, onResult?: (deployment: string, result: PipelineResult, seconds: number) => void): DeploymentHandler {
  const secrets = session.loaded.secrets.filter((secret) => secret.length >= 4);
  return async (deployment, context) => {
    const job = session.config.jobs.find((candidate) => candidate.name === deployment.job)!;
    const started = performance.now();
    const logger = teeLogger(session.logger.child({ deployment: deployment.name, deploymentRun: context.run.id }), (line) => context.log(scrub(line, secrets)));
    const pipeline = session.withJob(job, deploymentWindow(context.parameters), (pipelineJob) =>
      runPipeline({ ...pipelineJob, timezone: deployment.timezone ?? pipelineJob.timezone }, { ...session.deps, logger, runId: context.run.id, now: () => (context.run.trigger === 'manual' ? new Date() : context.scheduledFor) }),
    );
    // A stopping scheduler gets the run back at once; the pipeline commits its state only at its end, so the cut-off run is simply done again.
    const result = await untilAborted(pipeline, context.signal);
    onResult?.(deployment.name, result, (performance.now() - started) / 1000);
    write(`${deployment.name} ${context.run.id}: ${result.status} (${result.analysis?.runs ?? 0} runs)${result.problems.length ? `: ${result.problems.map((problem) => problem.message).join('; ')}` : ''}\n`);
    return {
      status: result.status,
      summary: { runs: result.analysis?.runs ?? 0, window: result.window, reports: result.reports.map((report) => report.location), alerts: result.alerts.length },
      ...(result.status === 'succeeded' ? {} : { error: result.problems.map((problem) => `${problem.stage}: ${problem.message}`).join('; ') }),
    };
  };
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('aborted: the scheduler is stopping'));
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(new Error('aborted: the scheduler is stopping'));
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
