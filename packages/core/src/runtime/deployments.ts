import type { Deployment } from '../adapters/scheduler.js';
import type { DifyLogsConfig } from '../config/schema.js';
import { DifyConfigError } from '../errors/config-error.js';
import type { PipelineJob } from '../pipeline/types.js';

/** The configured deployments: the `deployments` list, plus every job with a `schedule` (named after the job). */
export function configuredDeployments(config: DifyLogsConfig): Deployment[] {
  const jobs = new Set(config.jobs.map((job) => job.name));
  const listed: Deployment[] = (config.deployments ?? []).map((deployment, index) => {
    if (!jobs.has(deployment.job))
      throw new DifyConfigError(
        `deployments.${index}.job`,
        `no job named ${JSON.stringify(deployment.job)} (have ${[...jobs].join(', ')})`,
      );
    return {
      ...deployment,
      timezone: deployment.timezone ?? config.jobs.find((job) => job.name === deployment.job)!.timezone,
    };
  });
  const fromJobs: Deployment[] = config.jobs
    .filter((job) => job.schedule && !listed.some((deployment) => deployment.name === job.name))
    .map((job) => ({ name: job.name, job: job.name, schedule: job.schedule!, timezone: job.timezone }));
  return [...listed, ...fromJobs];
}

/**
 * A deployment's window: `parameters.from`/`to` (templates) make it explicit; `parameters.window` replaces it; else the
 * job's.
 */
export function deploymentWindow(parameters: Record<string, unknown>): PipelineJob['window'] | undefined {
  if (typeof parameters.from === 'string' && typeof parameters.to === 'string')
    return { mode: 'explicit', from: parameters.from, to: parameters.to };
  const window = parameters.window as PipelineJob['window'] | undefined;
  return window && typeof window === 'object' && (window.mode === 'explicit' || window.mode === 'incremental')
    ? window
    : undefined;
}

/** A promise that rejects when the signal aborts (a stopping scheduler gets the run back at once). */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('aborted: the scheduler is stopping'));
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(new Error('aborted: the scheduler is stopping'));
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
