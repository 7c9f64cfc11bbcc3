import type { DDSketch } from '@datadog/sketches-js';
import { lazyModule } from '../support/lazy-module.js';
import { ExactSum, type ExactSumState } from './exact-sum.js';
import type { LatencyStats } from './types.js';

const sketches = lazyModule<typeof import('@datadog/sketches-js')>('@datadog/sketches-js');
const newSketch = (): DDSketch => new (sketches().DDSketch)({ relativeAccuracy: SKETCH_ACCURACY });

/** Relative accuracy of every latency percentile: 0.5 %, inside the promised 1 %. */
export const SKETCH_ACCURACY = 0.005;

/**
 * Durations under a nanosecond count as 0 in the sketch. Dify measures in float seconds from a monotonic clock, so
 * nothing shorter means anything; and near the smallest doubles the sketch's logarithmic keys lose precision (merged
 * shards could then disagree with one pass) while its dense store grows to tens of thousands of bins.
 */
const SKETCH_FLOOR_SECONDS = 1e-9;

/**
 * A mergeable latency distribution (DDSketch): exact count, sum and max; percentiles to 0.5 % relative.
 * The sum (for the mean) is an ExactSum, so merged shards give the same mean as one pass.
 */
export class Latency {
  private sketch: DDSketch | null = null;
  private sum: ExactSum | null = null;

  add(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    (this.sketch ??= newSketch()).accept(seconds < SKETCH_FLOOR_SECONDS ? 0 : seconds);
    (this.sum ??= new ExactSum()).add(seconds);
  }

  merge(other: Latency): void {
    const from = other.sketch;
    if (!from || from.count === 0) return;
    const sketch = (this.sketch ??= newSketch());
    // Bin by bin, not `DDSketch.merge`: sketches-js 2.1.1 (the latest) extends a store's range with
    // `secondKey || key`, so a store whose highest key is 0 (durations near 1 s) is merged past the end of the bins
    // (NaN and holes), and merged shards then gave other percentiles than one pass. Durations are never negative: the
    // negative store stays empty.
    const { store } = from;
    for (let key = store.minKey; key <= store.maxKey; key += 1) {
      const count = store.bins[key - store.offset];
      if (count) sketch.store.add(key, count);
    }
    sketch.zeroCount += from.zeroCount;
    sketch.count += from.count;
    sketch.sum += from.sum;
    // An empty sketch's min and max are ±Infinity.
    sketch.min = Math.min(sketch.min, from.min);
    sketch.max = Math.max(sketch.max, from.max);
    (this.sum ??= new ExactSum()).merge(other.sum!);
  }

  get count(): number {
    return this.sketch?.count ?? 0;
  }

  quantile(q: number): number | null {
    return this.sketch && this.sketch.count > 0 ? this.sketch.getValueAtQuantile(q) : null;
  }

  stats(): LatencyStats {
    const sketch = this.sketch;
    if (!sketch || sketch.count === 0)
      return { count: 0, mean: null, max: null, p50: null, p90: null, p95: null, p99: null };
    return {
      count: sketch.count,
      mean: this.sum!.value() / sketch.count,
      max: sketch.max,
      p50: sketch.getValueAtQuantile(0.5),
      p90: sketch.getValueAtQuantile(0.9),
      p95: sketch.getValueAtQuantile(0.95),
      p99: sketch.getValueAtQuantile(0.99),
    };
  }

  /** Plain data for another thread: the sketch's bins and summary, and the exact sum. */
  toState(): LatencyState | null {
    const sketch = this.sketch;
    if (!sketch) return null;
    const { store } = sketch;
    const bins =
      store.count === 0 ? [] : store.bins.slice(store.minKey - store.offset, store.maxKey - store.offset + 1);
    return {
      minKey: store.minKey,
      bins,
      zeroCount: sketch.zeroCount,
      count: sketch.count,
      min: sketch.min,
      max: sketch.max,
      sum: this.sum!.toState(),
    };
  }

  static fromState(state: LatencyState | null): Latency {
    const latency = new Latency();
    if (!state) return latency;
    const sketch = newSketch();
    for (let index = 0; index < state.bins.length; index += 1)
      if (state.bins[index]! > 0) sketch.store.add(state.minKey + index, state.bins[index]);
    sketch.zeroCount = state.zeroCount;
    sketch.count = state.count;
    sketch.min = state.min;
    sketch.max = state.max;
    sketch.sum = state.sum.partials.reduce((total, partial) => total + partial, 0);
    latency.sketch = sketch;
    latency.sum = ExactSum.fromState(state.sum);
    return latency;
  }
}

export interface LatencyState {
  /** Key of `bins[0]` in the sketch's positive store. */
  minKey: number;
  bins: number[];
  zeroCount: number;
  count: number;
  min: number;
  max: number;
  sum: ExactSumState;
}
