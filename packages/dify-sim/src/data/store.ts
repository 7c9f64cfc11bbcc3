import { decodeRunId, RUN_KIND_DEBUG, RUN_KIND_PRODUCTION } from './ids.js';
import {
  detailRun,
  runTraits,
  summarizeRun,
  type RunDetail,
  type RunPosition,
  type RunSummary,
  type RunTraits,
} from './runs.js';
import { baseRunTime, type World, type WorldApp } from './world.js';

export const DEBUG_RUNS_PER_APP = 3;
const HOUR_MS = 3_600_000;

/**
 * The runs of every app, computed on demand. Only what changed since start is held in memory:
 * the times of added runs and whether the running runs were completed.
 */
export interface RunStore {
  world: World;
  /** Changes whenever the data changes (for caches). */
  revision(): number;
  /** Production runs of an app, original and added; index 0 is the oldest. */
  count(appIndex: number): number;
  timeOf(appIndex: number, index: number): number;
  /** First index whose time is >= ms. */
  lowerBound(appIndex: number, ms: number): number;
  /** First index whose time is > ms. */
  upperBound(appIndex: number, ms: number): number;
  /** Indexes [from, to) that have no log row yet (runs still running on a release that logs at run end). */
  unloggedRange(appIndex: number): [number, number] | null;
  /** The cheap, hash-only facts of a run (for filtering). */
  traits(appIndex: number, index: number): RunTraits;
  summary(appIndex: number, index: number, traits?: RunTraits): RunSummary;
  debugSummary(appIndex: number, index: number): RunSummary;
  detail(summary: RunSummary): RunDetail;
  /** The run behind an id, if it exists and was not lost. */
  findRun(id: string): RunSummary | undefined;
  addRuns(appIndex: number, count: number, clockMs: number, failureRate?: number): void;
  completeRunningRuns(): void;
}

export function createRunStore(world: World): RunStore {
  const added = new Map<number, number[]>();
  const addedRates = new Map<number, Array<number | undefined>>();
  let completed = false;
  let revision = 0;
  const runningFrom = world.baseCount - world.runningRuns;

  const count = (appIndex: number) => world.baseCount + (added.get(appIndex)?.length ?? 0);
  const timeOf = (appIndex: number, index: number) =>
    index < world.baseCount
      ? baseRunTime(world, appIndex, index)
      : (added.get(appIndex)?.[index - world.baseCount] ?? Number.POSITIVE_INFINITY);
  const search = (appIndex: number, ms: number, strict: boolean) => {
    let low = 0;
    let high = count(appIndex);
    while (low < high) {
      const middle = (low + high) >>> 1;
      const time = timeOf(appIndex, middle);
      if (strict ? time <= ms : time < ms) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  const app = (appIndex: number): WorldApp => {
    const found = world.apps[appIndex];
    if (!found) throw new RangeError(`no app ${appIndex}`);
    return found;
  };
  const position = (appIndex: number, index: number): RunPosition => {
    const wasRunning = index >= runningFrom && index < world.baseCount;
    const failureRate = index >= world.baseCount ? addedRates.get(appIndex)?.[index - world.baseCount] : undefined;
    return {
      kind: RUN_KIND_PRODUCTION,
      index,
      timeMs: timeOf(appIndex, index),
      running: wasRunning && !completed,
      paused: wasRunning && !completed && index < runningFrom + world.pausedRuns,
      completed: wasRunning && completed,
      mayBeLost: !wasRunning && index < world.baseCount,
      ...(failureRate === undefined ? {} : { failureRate }),
    };
  };
  const summary = (appIndex: number, index: number, traits?: RunTraits) =>
    summarizeRun(world, app(appIndex), position(appIndex, index), traits);
  const debugSummary = (appIndex: number, index: number) =>
    summarizeRun(world, app(appIndex), {
      kind: RUN_KIND_DEBUG,
      index,
      timeMs: Math.floor(world.nowMs - (index + 1) * 7 * HOUR_MS - ((index * 7919) % 600_000)),
      running: false,
      completed: false,
      mayBeLost: false,
    });

  return {
    world,
    revision: () => revision,
    count,
    timeOf,
    lowerBound: (appIndex, ms) => search(appIndex, ms, false),
    upperBound: (appIndex, ms) => search(appIndex, ms, true),
    unloggedRange: () =>
      !world.personality.logRowAtStart && !completed && world.runningRuns > 0 ? [runningFrom, world.baseCount] : null,
    traits: (appIndex, index) => runTraits(world, app(appIndex), position(appIndex, index)),
    summary,
    debugSummary,
    detail: (run) => detailRun(world, run),
    findRun(id) {
      const ref = decodeRunId(world.idKey, id);
      if (!ref || ref.appIndex >= world.apps.length) return undefined;
      if (ref.kind === RUN_KIND_DEBUG)
        return ref.index < DEBUG_RUNS_PER_APP ? debugSummary(ref.appIndex, ref.index) : undefined;
      if (ref.kind !== RUN_KIND_PRODUCTION || ref.index >= count(ref.appIndex)) return undefined;
      const run = summary(ref.appIndex, ref.index);
      return run.lost ? undefined : run;
    },
    addRuns(appIndex, runs, clockMs, failureRate) {
      app(appIndex);
      const times = added.get(appIndex) ?? [];
      const rates = addedRates.get(appIndex) ?? [];
      for (let run = 0; run < runs; run += 1) rates.push(failureRate);
      addedRates.set(appIndex, rates);
      let last = count(appIndex) > 0 ? timeOf(appIndex, count(appIndex) - 1) : world.startMs;
      for (let run = 0; run < runs; run += 1) {
        last = Math.max(last + 1000, clockMs, world.nowMs + 1000);
        times.push(last);
      }
      added.set(appIndex, times);
      revision += 1;
    },
    completeRunningRuns() {
      completed = true;
      revision += 1;
    },
  };
}
