/**
 * What to fetch for each run and how many runs at once: one options type shared by `exportRuns`, a job's
 * configuration and `dify-logs export`, with one set of defaults.
 */
export interface FetchOptions {
  /** Fetch run detail (inputs, outputs, error) for each run. Default true. */
  withDetails?: boolean;
  /** Fetch per-node executions (needs console access). Default false. */
  withNodeExecutions?: boolean;
  /** Keep node inputs, outputs and process data on NodeRecords (large). Default false. */
  includeNodeData?: boolean;
  /** Runs enriched at once (default 16); the client's adaptive request limit may hold fewer requests in flight. */
  concurrency?: number;
}

export const FETCH_DEFAULTS = {
  withDetails: true,
  withNodeExecutions: false,
  includeNodeData: false,
  concurrency: 16,
} as const satisfies Required<FetchOptions>;

export const DEFAULT_CONCURRENCY = FETCH_DEFAULTS.concurrency;

/**
 * Retries after a request's first attempt (with the default delays at least 15.75 s of waiting: a Dify restart of 10 s
 * is ridden out).
 */
export const DEFAULT_RETRIES = 6;
