import { describe, expect, it } from 'vitest';
import { orderedMap } from '../src/export/ordered-map.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function* numbers(count: number, failAt?: number) {
  for (let index = 0; index < count; index += 1) {
    if (index === failAt) throw new Error(`source failed at ${index}`);
    if (index % 10 === 0) await sleep(5);
    yield index;
  }
}

describe('orderedMap', () => {
  it('keeps source order while running items concurrently, within the read-ahead bound', async () => {
    let inFlight = 0;
    let peak = 0;
    const mapper = async (value: number) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await sleep((value * 7) % 13);
      inFlight -= 1;
      return value * 2;
    };
    const out: number[] = [];
    for await (const value of orderedMap(numbers(100), mapper, 8)) out.push(value);
    expect(out).toEqual(Array.from({ length: 100 }, (_, index) => index * 2));
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(8);
  });

  it('yields what came before a source error, then throws it', async () => {
    const out: number[] = [];
    await expect(async () => {
      for await (const value of orderedMap(numbers(30, 25), async (value) => value, 4)) out.push(value);
    }).rejects.toThrow('source failed at 25');
    expect(out).toEqual(Array.from({ length: 25 }, (_, index) => index));
  });

  it('stops pulling the source when the consumer stops early', async () => {
    let pulled = 0;
    async function* counting() {
      for (let index = 0; index < 1000; index += 1) {
        pulled += 1;
        yield index;
      }
    }
    for await (const value of orderedMap(counting(), async (value) => value, 5)) if (value === 3) break;
    expect(pulled).toBeLessThan(20);
  });
});
