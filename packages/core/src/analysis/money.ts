import type { Money } from './types.js';

export function addMoney(target: Money, currency: string, amount: number): void {
  target[currency] = (target[currency] ?? 0) + amount;
}

export function mergeMoney(target: Money, source: Money): void {
  for (const [currency, amount] of Object.entries(source)) addMoney(target, currency, amount);
}

/** The currency with the largest amount, or null. */
export function mainCurrency(money: Money): string | null {
  let best: string | null = null;
  for (const [currency, amount] of Object.entries(money)) if (best === null || amount > money[best]!) best = currency;
  return best;
}
