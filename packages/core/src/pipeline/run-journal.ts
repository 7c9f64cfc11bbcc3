import { hostname } from 'node:os';
import type { AppState, StateStore } from '../adapters/state.js';
import { safeSegment } from '../adapters/keys.js';
import type { StorageAdapter } from '../adapters/storage.js';
import type { Logger } from '../logging/logger.js';

/**
 * The journal of a job's run in progress, in the state store: which run writes which window. A run that ends (in
 * any status) clears it; a run killed mid-way (SIGKILL, a crash, a lost machine) leaves it, and the job's next run
 * removes what the killed run stored (an archive or reports that look complete but whose window was never marked
 * done), so redoing the window does not leave the same runs in two archives.
 */
export interface RunJournalEntry {
  runId: string;
  /** The run's clock: its objects' keys carry this time. */
  startedAt: string;
  window: { from: string; to: string };
  incremental: boolean;
  apps: string[];
  /** The process running it: a run whose process is still alive on this host is not recovered. */
  host?: string;
  pid?: number;
}

/** Whether the journal's run is still running here (the same host, its process alive). */
function stillRunning(entry: RunJournalEntry): boolean {
  if (entry.host !== hostname() || typeof entry.pid !== 'number') return false;
  try {
    process.kill(entry.pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

const journalKey = (job: string) => `run-journal:${job}`;
const DAY_MS = 86_400_000;

export async function beginRun(state: StateStore, job: string, entry: RunJournalEntry): Promise<void> {
  await state.writeDocument(journalKey(job), { ...entry, host: hostname(), pid: process.pid });
}

export async function endRun(state: StateStore, job: string): Promise<void> {
  await state.writeDocument(journalKey(job), null);
}

/**
 * Removes the objects of the job's previous run when it was killed before it finished: all of them, unless it was
 * incremental and had already committed its window (every app's watermark is its window's end: only clearing the
 * journal was left). Returns how many objects were removed.
 */
export async function recoverKilledRun(
  storage: StorageAdapter,
  state: StateStore,
  job: string,
  states: Map<string, AppState>,
  logger: Logger,
): Promise<number> {
  const entry = (await state.readDocument(journalKey(job))) as RunJournalEntry | null | undefined;
  if (!entry || typeof entry !== 'object' || typeof entry.runId !== 'string') return 0;
  if (stillRunning(entry)) {
    logger.warn(
      { otherRun: entry.runId, pid: entry.pid },
      'another run of this job is still going in this machine; running alongside it',
    );
    return 0;
  }
  const committed =
    entry.incremental &&
    entry.apps.length > 0 &&
    entry.apps.every((app) => states.get(app)?.watermark === entry.window.to);
  let removed = 0;
  if (!committed) {
    const suffix = `-${safeSegment(entry.runId)}`;
    // Reports and the run archive are keyed by the run's clock; archive partitions by the days of their records.
    const from = new Date(Math.min(Date.parse(entry.startedAt), Date.parse(entry.window.from)) - DAY_MS);
    const until = new Date(Math.max(Date.parse(entry.startedAt), Date.parse(entry.window.to)) + DAY_MS);
    for (const kind of ['report', 'data'] as const) {
      for await (const object of storage.list({ kind, newerThan: from, olderThan: until })) {
        const name = object.key.split('/').pop() ?? '';
        if (!name.split('.')[0]!.endsWith(suffix)) continue;
        await storage.delete(object.key);
        removed += 1;
      }
    }
    logger.warn(
      { killedRun: entry.runId, removed },
      'the previous run of this job was killed before it finished: removed what it stored; this run redoes its window',
    );
  }
  await endRun(state, job);
  return removed;
}
