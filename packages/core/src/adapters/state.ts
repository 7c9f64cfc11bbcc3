import type { RunCache } from './run-cache.js';

/** What a job remembers about one app between runs. */
export interface AppState {
  /** Log time (ISO) up to which every log row was fetched, stored and reported; null before the first run. */
  watermark: string | null;
  /**
   * Finished log ids near the watermark (log id → log time), so the overlap of the next window is not counted twice.
   */
  recent: Record<string, string>;
  /** Runs that were not finished at the last pull (run id → their RunRecord as JSON): re-polled until they finish. */
  pending: Record<string, string>;
}

export const EMPTY_APP_STATE: Readonly<AppState> = Object.freeze({ watermark: null, recent: {}, pending: {} });

/**
 * Where incremental jobs keep their watermarks. Implementations: `memoryStateStore()` and
 * `fileStateStore({ path })` in core; database-backed ones come with the schedulers.
 * `commit` must be atomic: after a crash the store holds either the old or the new state.
 */
export interface StateStore {
  readonly name: string;
  read(job: string, app: string): Promise<AppState>;
  commit(job: string, app: string, state: AppState): Promise<void>;
  /** A small JSON document by key (a job's alert state); undefined when never written. */
  readDocument(key: string): Promise<unknown>;
  /** Replaces a document atomically (like `commit`). */
  writeDocument(key: string, value: unknown): Promise<void>;
  /** Finished runs already enriched, shared by every job on this store (optional: without it every run re-enriches). */
  readonly runs?: RunCache;
  close?(): Promise<void>;
}
