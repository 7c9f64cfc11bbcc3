import { DDSketch } from '@datadog/sketches-js';
import type { LatencyStats } from './types.js';

/** Relative accuracy of every latency percentile: 0.5 %, inside the promised 1 %. */
export const SKETCH_ACCURACY = 0.005;

/** A mergeable latency distribution (DDSketch): exact count, sum and max; percentiles to 0.5 % relative. */
export class Latency {
  private sketch: DDSketch | null = null;

  add(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    (this.sketch ??= new DDSketch({ relativeAccuracy: SKETCH_ACCURACY })).accept(seconds);
  }

  merge(other: Latency): void {
    if (!other.sketch) return;
    (this.sketch ??= new DDSketch({ relativeAccuracy: SKETCH_ACCURACY })).merge(other.sketch);
  }

  get count(): number {
    return this.sketch?.count ?? 0;
  }

  quantile(q: number): number | null {
    return this.sketch && this.sketch.count > 0 ? this.sketch.getValueAtQuantile(q) : null;
  }

  stats(): LatencyStats {
    const sketch = this.sketch;
    if (!sketch || sketch.count === 0) return { count: 0, mean: null, max: null, p50: null, p90: null, p95: null, p99: null };
    return {
      count: sketch.count,
      mean: sketch.sum / sketch.count,
      max: sketch.max,
      p50: sketch.getValueAtQuantile(0.5),
      p90: sketch.getValueAtQuantile(0.9),
      p95: sketch.getValueAtQuantile(0.95),
      p99: sketch.getValueAtQuantile(0.99),
    };
  }
}
