/**
 * A sum of floating-point numbers that does not depend on the order they arrive in: the partials of
 * Shewchuk's algorithm (Python's `math.fsum`) hold the exact sum, and `value()` rounds it once. So
 * two sums over two parts of a stream merge into exactly the sum of the whole, whatever the split:
 * what lets an analysis sharded across threads equal the single-threaded one bit for bit. (Partial
 * sums must stay finite: true of any real durations and amounts, not of values near 1e308.)
 */
export class ExactSum {
  /** Non-overlapping, increasing in magnitude; their exact sum is the sum so far. */
  private partials: number[] = [];
  /** Infinities and NaN, which the partials cannot hold, summed as usual. */
  private special = 0;

  add(value: number): void {
    if (!Number.isFinite(value)) {
      this.special += value;
      return;
    }
    const partials = this.partials;
    let x = value;
    let kept = 0;
    for (let index = 0; index < partials.length; index += 1) {
      let y = partials[index]!;
      if (Math.abs(x) < Math.abs(y)) {
        const swap = x;
        x = y;
        y = swap;
      }
      const high = x + y;
      const low = y - (high - x);
      if (low !== 0) partials[kept++] = low;
      x = high;
    }
    if (kept + 1 !== partials.length) partials.length = kept + 1;
    partials[kept] = x;
  }

  merge(other: ExactSum): void {
    for (const partial of other.partials) this.add(partial);
    this.special += other.special;
  }

  /** The exact sum, correctly rounded (half to even). */
  value(): number {
    if (this.special !== 0) return this.special; // also NaN
    const partials = this.partials;
    let n = partials.length;
    if (n === 0) return 0;
    let high = partials[--n]!;
    let low = 0;
    while (n > 0) {
      const x = high;
      const y = partials[--n]!;
      high = x + y;
      low = y - (high - x);
      if (low !== 0) break;
    }
    // Round half to even: if the rest of the partials push the same way as `low`, the sum is past the halfway point.
    if (n > 0 && ((low < 0 && partials[n - 1]! < 0) || (low > 0 && partials[n - 1]! > 0))) {
      const y = low * 2;
      const x = high + y;
      if (y === x - high) high = x;
    }
    return high === 0 ? 0 : high; // never -0, as 0 + … + -0 is not
  }

  /** Plain data for another thread (structured clone). */
  toState(): ExactSumState {
    return { partials: [...this.partials], special: this.special };
  }

  static fromState(state: ExactSumState): ExactSum {
    const sum = new ExactSum();
    sum.partials = [...state.partials];
    sum.special = state.special;
    return sum;
  }
}

export interface ExactSumState {
  partials: number[];
  special: number;
}
