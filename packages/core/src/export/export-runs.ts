import pLimit from 'p-limit';
import type { DifyClient } from '../client/create-client.js';
import type { DifyLogItem, DifyNodeExecution, DifyRunDetail } from '../client/schemas/dify.js';
import { DifyConfigError } from '../errors/config-error.js';
import { DifyLogsError } from '../errors/dify-logs-error.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { toRunRecord } from '../records/normalize.js';
import { isTerminalStatus, type EnrichmentError, type RunRecord } from '../records/schema.js';
import type { EnrichmentLevel, RunCache } from '../adapters/run-cache.js';
import { walkLogWindow, type LogWindowOptions } from './log-window.js';
import { orderedMap } from './ordered-map.js';
import { salvagedFields, type SalvagedField } from '../client/schemas/salvage.js';
import { FETCH_DEFAULTS, type FetchOptions } from './defaults.js';

function prefixed(prefix: string, fields: SalvagedField[]): SalvagedField[] {
  return fields.map((field) => ({ field: `${prefix}.${field.field}`, type: field.type }));
}

export interface ExportProgress {
  pages: number;
  /** Log items listed (after de-duplication). */
  listed: number;
  /** Records produced. */
  exported: number;
  /** Records whose detail or node executions could not be fetched. */
  enrichmentFailures: number;
  /** Records whose run row Dify no longer has. */
  lostRuns: number;
  /** Records not yet finished (`running`, `paused`, …): re-poll them later. */
  unfinished: number;
  /** Records produced (of `exported`) that were read from the run cache instead of being enriched again. */
  cached: number;
  /** Records kept although an optional field had a value of the wrong type (the field is empty). */
  salvaged: number;
  /** Log rows dropped because what identifies them was missing or malformed (each also passed to `onDroppedRow`). */
  droppedRows: number;
}

/** A log row that could not be kept, with where it was. */
export interface DroppedLogRow {
  appId: string;
  endpoint: string;
  /** The list request (1-based, in the order they were made) and the row's position in its page (0-based). */
  page: number;
  position: number;
  field: string;
  problem: string;
}

export interface ExportRunsOptions extends Omit<LogWindowOptions, 'onPage'>, FetchOptions {
  /** Finished runs already enriched: read instead of fetched, and filled with every finished run enriched here. */
  runCache?: RunCache;
  /** Return true to drop a log item (e.g. already stored by an earlier window). */
  skipLogId?: (logId: string) => boolean;
  onProgress?: (progress: Readonly<ExportProgress>) => void;
  /** A log row was dropped: Dify sent it without a usable log id (or another field that identifies it). */
  onDroppedRow?: (row: DroppedLogRow) => void;
  /**
   * Applied to every record as soon as it is whole, before the run cache keeps it or it is yielded: e.g. a privacy
   * policy's `run` (`createPrivacyPolicy`). Records read from the cache pass through it again.
   */
  redact?: (record: RunRecord) => RunRecord;
  logger?: Logger;
}

/**
 * Records are yielded in log order, so runs finished early wait for a run still being retried: at most this many
 * (with the default concurrency, a few seconds of fetching; about 5 KB each without node data) are held back.
 */
export const REORDER_WINDOW = 1024;

/**
 * Streams the RunRecords of one app's time window: list pages are walked drift-free (see walkLogWindow),
 * each run is enriched with detail and node executions under a concurrency limit, and records come out
 * in log order. A run whose enrichment fails after retries is still yielded, with `enrichmentError` set.
 */
export async function* exportRuns(client: DifyClient, options: ExportRunsOptions = {}): AsyncGenerator<RunRecord> {
  const {
    withDetails = FETCH_DEFAULTS.withDetails,
    withNodeExecutions = FETCH_DEFAULTS.withNodeExecutions,
    includeNodeData = FETCH_DEFAULTS.includeNodeData,
    concurrency = FETCH_DEFAULTS.concurrency,
    skipLogId,
    onProgress,
    onDroppedRow,
    runCache,
    redact = (record: RunRecord) => record,
    ...windowOptions
  } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)
    throw new DifyConfigError('concurrency', `must be a whole number from 1 to 256, got ${concurrency}`);
  if (withNodeExecutions && !client.hasConsole) {
    throw new DifyConfigError(
      'withNodeExecutions',
      'node executions need console access (console email + password, or an admin key); the Service API has none',
    );
  }
  const appId = windowOptions.appId ?? client.appId;
  if (!appId) throw new DifyConfigError('appId', 'is required: which app to export');
  const logger = (options.logger ?? silentLogger).child({ appId });
  // `concurrency` requests in flight at most, each slot held for one attempt: a request waiting to be retried
  // (a 429's Retry-After, a backoff) gives its slot to another run's request instead of idling it.
  const requests = pLimit(concurrency);
  // Runs being enriched at once: room for runs whose requests wait to be retried, bounded so a retried request
  // queues behind at most this many others.
  const runs = pLimit(Math.max(64, concurrency * 16));
  const progress: ExportProgress = {
    pages: 0,
    listed: 0,
    exported: 0,
    enrichmentFailures: 0,
    lostRuns: 0,
    unfinished: 0,
    cached: 0,
    salvaged: 0,
    droppedRows: 0,
  };
  const level: EnrichmentLevel = {
    details: withDetails,
    nodes: withNodeExecutions,
    nodeData: withNodeExecutions && includeNodeData,
  };
  const cacheable = runCache !== undefined && (withDetails || withNodeExecutions);
  // Runs are enriched ahead of the records yielded: a cache hit counts once its record is produced, so `cached` ≤
  // `exported`.
  const fromCache = new WeakSet<RunRecord>();
  const report = () => onProgress?.(progress);
  const endpoint =
    client.logSurface === 'service' ? 'GET /v1/workflows/logs' : `GET /console/api/apps/${appId}/workflow-app-logs`;

  async function* listed(): AsyncGenerator<DifyLogItem> {
    const walk = walkLogWindow(client, {
      ...windowOptions,
      appId,
      onPage: ({ dropped }) => {
        progress.pages += 1;
        for (const row of dropped) {
          progress.droppedRows += 1;
          logger.warn(
            { endpoint, page: progress.pages, position: row.position, field: row.field, problem: row.problem },
            'dropped a log row Dify sent without what identifies it',
          );
          onDroppedRow?.({
            appId: appId!,
            endpoint,
            page: progress.pages,
            position: row.position,
            field: row.field,
            problem: row.problem,
          });
        }
        report();
      },
    });
    for await (const item of walk) {
      if (skipLogId?.(item.id)) continue;
      progress.listed += 1;
      yield item;
    }
  }

  async function enrich(item: DifyLogItem): Promise<RunRecord> {
    const runId = item.workflow_run?.id;
    if (cacheable && runId && isTerminalStatus(item.workflow_run?.status ?? null)) {
      const hit = await runCache.get(appId!, runId, level).catch(() => undefined);
      if (hit && hit.logId === item.id) {
        // Cached under an earlier policy, perhaps: the current one applies all the same.
        const record = redact(hit);
        fromCache.add(record);
        return record;
      }
    }
    let detail: DifyRunDetail | null | undefined;
    let nodes: DifyNodeExecution[] | undefined;
    let enrichmentError: EnrichmentError | null = null;
    const fail = (stage: EnrichmentError['stage']) => (error: unknown) => {
      const code = DifyLogsError.isInstance(error) ? error.code : 'error';
      const message = client.scrub(error instanceof Error ? error.message : String(error));
      enrichmentError ??= { stage, code, message };
      logger.warn({ runId, stage, code, err: message }, 'run enrichment failed; keeping the run without it');
    };
    if (runId) {
      await runs(() =>
        Promise.all([
          withDetails
            ? client.runDetail(runId, appId, { gate: requests }).then((value) => (detail = value), fail('detail'))
            : undefined,
          withNodeExecutions
            ? client.nodeExecutions(runId, appId, { gate: requests }).then((value) => (nodes = value), fail('nodes'))
            : undefined,
        ]),
      );
    }
    let record: RunRecord;
    const salvaged = [
      ...salvagedFields(item),
      ...prefixed('detail', salvagedFields(detail)),
      ...(nodes ?? []).flatMap((node, position) => prefixed(`nodes.${position}`, salvagedFields(node))),
    ];
    try {
      record = toRunRecord({
        appId: appId!,
        item,
        detail,
        nodes,
        enrichmentError,
        includeNodeData,
        endpoint,
        salvaged,
      });
    } catch (error) {
      // A detail or node body that does not normalise is an enrichment failure, not a lost run.
      fail(nodes ? 'nodes' : 'detail')(error);
      record = toRunRecord({ appId: appId!, item, enrichmentError, endpoint, salvaged });
    }
    if (salvaged.length > 0) {
      progress.salvaged += 1;
      for (const { field, type } of salvaged)
        logger.warn(
          { logId: item.id, runId, field, type },
          'kept a run whose field had a value of an unexpected type; the field is empty',
        );
    }
    // A paused run says where it waits (Dify >= 1.13; 404 before): one more request, for paused runs only.
    if (runId && record.status === 'paused' && client.hasConsole && (withDetails || withNodeExecutions)) {
      try {
        const pause = await runs(() => client.pauseDetails(runId, { gate: requests }));
        if (pause) record.pause = pause;
      } catch (error) {
        logger.warn(
          { runId, err: client.scrub(error instanceof Error ? error.message : String(error)) },
          'could not read where a paused run waits; keeping it without',
        );
      }
    }
    record = redact(record);
    if (record.enrichmentError) progress.enrichmentFailures += 1;
    if (!record.runId || detail === null) progress.lostRuns += 1;
    if (record.status !== null && !isTerminalStatus(record.status)) progress.unfinished += 1;
    if (cacheable && record.runId && detail !== null && !record.enrichmentError && isTerminalStatus(record.status)) {
      await runCache
        .put(appId!, record, level)
        .catch((error: unknown) => logger.warn({ runId, err: String(error) }, 'could not cache a finished run'));
    }
    return record;
  }

  for await (const record of orderedMap(listed(), enrich, Math.max(REORDER_WINDOW, concurrency * 4))) {
    progress.exported += 1;
    if (fromCache.has(record)) progress.cached += 1;
    report();
    yield record;
  }
}
