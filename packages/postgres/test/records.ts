import type { RunRecord } from '@dify-logs/core';

type SyntheticRecord = (index: number, random: () => number, nodeFraction: number, start: number) => RunRecord;

// The benchmarks' deterministic generator (statuses, log-normal times, six nodes on a fraction of runs).
const generator = new URL('../../cli/bench/synthetic-records.mjs', import.meta.url).href;
const { syntheticRecord } = (await import(generator)) as { syntheticRecord: SyntheticRecord };

/** `count` synthetic runs (log ids `log-0`…), node executions on `nodeFraction` of them; the same for the same seed. */
export function* syntheticRuns(
  count: number,
  { nodeFraction = 0.2, seed = 7, start = Date.parse('2026-03-01T00:00:00Z') } = {},
): Generator<RunRecord> {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let index = 0; index < count; index += 1) yield syntheticRecord(index, random, nodeFraction, start);
}
