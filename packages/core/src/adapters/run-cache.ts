import type { RunRecord } from '../records/schema.js';

/** How much a record was enriched with: run detail, node executions, node inputs/outputs. */
export interface EnrichmentLevel {
  details: boolean;
  nodes: boolean;
  nodeData: boolean;
}

/**
 * Finished runs by run id. A finished run never changes in Dify, so its enriched RunRecord is fetched
 * once and read from here by every later run of every job: overlapping windows, explicit re-runs and
 * backfills then cost list requests, not detail and node requests.
 *
 * Rules: only terminal records without `enrichmentError` are put; `get` answers a record only when it
 * was stored with at least the asked level, trimmed to that level (see `fitToLevel`); a lost or
 * unreadable entry is a miss, never an error. Entries may be dropped at any time (it is a cache).
 */
export interface RunCache {
  get(app: string, runId: string, level: EnrichmentLevel): Promise<RunRecord | undefined>;
  put(app: string, record: RunRecord, level: EnrichmentLevel): Promise<void>;
  close?(): Promise<void>;
}

/** Whether a record enriched at `stored` can answer for `wanted`. */
export function coversLevel(stored: EnrichmentLevel, wanted: EnrichmentLevel): boolean {
  return (
    (stored.details || !wanted.details) && (stored.nodes || !wanted.nodes) && (stored.nodeData || !wanted.nodeData)
  );
}

/** A cached record as a fresh fetch at `wanted` would have made it: no nodes or node data that were not asked for. */
export function fitToLevel(record: RunRecord, wanted: EnrichmentLevel): RunRecord {
  if (!wanted.nodes) return record.nodes === null ? record : { ...record, nodes: null };
  if (wanted.nodeData || record.nodes === null) return record;
  return {
    ...record,
    nodes: record.nodes.map((node) => {
      const { inputs: _inputs, outputs: _outputs, processData: _processData, ...rest } = node;
      return rest;
    }),
  };
}
