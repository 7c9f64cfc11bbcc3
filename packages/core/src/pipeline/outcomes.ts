import type { NotificationMessage } from '../adapters/notifier.js';
import type { StorageAdapter, StoredObject } from '../adapters/storage.js';
import { clip } from '../errors/clip.js';
import { DifyLogsError } from '../errors/dify-logs-error.js';
import type { Logger } from '../logging/logger.js';
import type { PipelineJob, PipelineProblem } from './types.js';

/**
 * The run's error when no app of the job could be read (each app's own problem is already recorded), else undefined.
 */
export function nothingReadError(job: PipelineJob, problems: PipelineProblem[]): DifyLogsError | undefined {
  const failed = new Map<string, PipelineProblem>();
  for (const problem of problems)
    if (problem.stage === 'fetch' && problem.appId && !failed.has(problem.appId)) failed.set(problem.appId, problem);
  if (!job.apps.every((app) => failed.has(app.id))) return undefined;
  const shown = job.apps.slice(0, 3).map((app) => `${app.id}: ${clip(failed.get(app.id)!.message, 300)}`);
  if (job.apps.length > 3) shown.push(`and ${job.apps.length - 3} more`);
  const what =
    job.apps.length === 1 ? 'its app could not be read' : `none of its ${job.apps.length} apps could be read`;
  return new DifyLogsError(`nothing was read: ${what} (${shown.join('; ')})`, { code: 'nothing_read' });
}

/** Where readers find the reports: signed URLs when the storage can make them, locations otherwise. */
export async function reportLinks(
  storage: StorageAdapter,
  reports: StoredObject[],
  logger: Logger,
): Promise<NotificationMessage['links']> {
  return Promise.all(
    reports.map(async (report) => {
      const label = report.key.split('/').pop()?.split('.').slice(1).join('.') || 'report';
      if (storage.capabilities.signedUrls && storage.signedUrl) {
        try {
          return { label, url: await storage.signedUrl(report.key) };
        } catch (error) {
          logger.warn(
            { key: report.key, err: error instanceof Error ? error.message : String(error) },
            'no signed URL; linking the location',
          );
        }
      }
      return { label, url: report.location };
    }),
  );
}

/** What a run has stored so far: filled as each object is stored, taken back when the run fails. */
export interface StoredSoFar {
  archive: StoredObject | null;
  messages: StoredObject | null;
  reports: StoredObject[];
}

/**
 * A failed run takes back what it stored (archive, messages, reports), so the redo does not leave the same rows in two
 * archives; says what happens to its window. Returns the emptied outcome fields.
 */
export async function takeBack(
  storage: StorageAdapter,
  stored: StoredSoFar,
  logger: Logger,
  incremental: boolean,
  message: string,
): Promise<{ archive: null; messages: null; reports: StoredObject[] }> {
  logger.error(
    { err: message },
    incremental
      ? 'the run failed; its window will be redone by the next run'
      : 'the run failed; an explicit window is not redone by itself: run the same command again',
  );
  for (const object of [stored.archive, stored.messages, ...stored.reports]) {
    if (object)
      await storage
        .delete(object.key)
        .catch((cause: unknown) =>
          logger.warn({ key: object.key, err: String(cause) }, 'could not remove an object of the failed run'),
        );
  }
  return { archive: null, messages: null, reports: [] };
}
