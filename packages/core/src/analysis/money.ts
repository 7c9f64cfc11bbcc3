import { ExactSum, type ExactSumState } from './exact-sum.js';
import type { Money } from './types.js';

export function addMoney(target: Money, currency: string, amount: number): void {
  target[currency] = (target[currency] ?? 0) + amount;
}

/** The currency with the largest amount, or null. */
export function mainCurrency(money: Money): string | null {
  let best: string | null = null;
  for (const [currency, amount] of Object.entries(money)) if (best === null || amount > money[best]!) best = currency;
  return best;
}

/**
 * Money summed across runs, per currency in the order currencies were first seen: exact sums, so the
 * total does not depend on the order of the runs (see ExactSum) and merging shards is exact.
 */
export class MoneySum {
  private readonly sums = new Map<string, ExactSum>();

  add(currency: string, amount: number): void {
    let sum = this.sums.get(currency);
    if (!sum) {
      sum = new ExactSum();
      this.sums.set(currency, sum);
    }
    sum.add(amount);
  }

  addMoney(money: Money): void {
    for (const currency in money) this.add(currency, money[currency]!);
  }

  merge(other: MoneySum): void {
    for (const [currency, sum] of other.sums) {
      const mine = this.sums.get(currency);
      if (mine) mine.merge(sum);
      else this.sums.set(currency, ExactSum.fromState(sum.toState()));
    }
  }

  result(): Money {
    const money: Money = {};
    for (const [currency, sum] of this.sums) money[currency] = sum.value();
    return money;
  }

  toState(): MoneySumState {
    return [...this.sums].map(([currency, sum]) => [currency, sum.toState()]);
  }

  static fromState(state: MoneySumState): MoneySum {
    const money = new MoneySum();
    for (const [currency, sum] of state) money.sums.set(currency, ExactSum.fromState(sum));
    return money;
  }
}

export type MoneySumState = Array<[string, ExactSumState]>;
