import type { StorageAdapter } from '../adapters/storage.js';
import type { ReportAnalysis } from '../analysis/types.js';
import type { Logger } from '../logging/logger.js';

/**
 * The analysis of the previous period of a job: the newest JSON report of the same job and report
 * type whose window has the same length and ends where this one starts (within a minute). Read from
 * the report's own metadata, so no Dify request is made. null when none is found or it cannot be read.
 */
export async function findPreviousAnalysis(
  storage: StorageAdapter,
  query: { job: string; type: string; window: { from: string; to: string } },
  logger: Logger,
): Promise<ReportAnalysis | null> {
  const length = Date.parse(query.window.to) - Date.parse(query.window.from);
  const start = Date.parse(query.window.from);
  try {
    // A report of the previous window was stored after that window began: older reports need no look.
    for await (const object of storage.list({
      kind: 'report',
      type: query.type,
      newerThan: new Date(start - length),
    })) {
      if (object.metadata.format !== 'json' || object.metadata.job !== query.job) continue;
      const from = Date.parse(object.metadata.window_from ?? '');
      const to = Date.parse(object.metadata.window_to ?? '');
      if (Math.abs(to - start) > 60_000 || Math.abs(to - from - length) > 60_000) continue;
      const parsed = JSON.parse(Buffer.from(await storage.read(object.key)).toString('utf8')) as ReportAnalysis;
      if (parsed.schemaVersion === 1 && typeof parsed.runs === 'number') return parsed;
    }
  } catch (error) {
    logger.warn(
      { err: error instanceof Error ? error.message : String(error) },
      'could not read the previous report; no comparison',
    );
  }
  return null;
}
