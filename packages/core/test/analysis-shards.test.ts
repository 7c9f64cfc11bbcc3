import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAnalyzer } from '../src/entries/pipeline.js';
import type { RunRecord } from '../src/index.js';
import { restoreAnalyzer, snapshotAnalyzer } from '../src/analysis/snapshot.js';
import { ExactSum } from '../src/analysis/exact-sum.js';
import { Latency } from '../src/analysis/latency.js';
import { node, run } from './support/records.js';

const options = {
  job: 'daily',
  runId: 'r1',
  window: { from: '2026-03-08T16:00:00.000Z', to: '2026-03-10T16:00:00.000Z', timezone: 'Asia/Shanghai' },
  generatedAt: '2026-03-10T16:05:00.000Z',
  consoleUrl: null,
  prices: [{ model: 'qwen*', input: 0.001, output: 0.002, currency: 'RMB' }],
};

/** Exact sum of doubles as a fraction over 2^1074, with BigInt: the reference for ExactSum. */
function exactValue(values: number[]): number {
  const scale = 1074n;
  let total = 0n;
  const view = new DataView(new ArrayBuffer(8));
  for (const value of values) {
    view.setFloat64(0, value);
    const bits = view.getBigUint64(0);
    const exponent = Number((bits >> 52n) & 0x7ffn);
    const mantissa = exponent === 0 ? bits & 0xfffffffffffffn : (bits & 0xfffffffffffffn) | (1n << 52n);
    const shift = BigInt(Math.max(exponent, 1) - 1075) + scale;
    const magnitude = mantissa << shift;
    total += bits >> 63n ? -magnitude : magnitude;
  }
  // total / 2^1074 as an exact decimal (fraction × 5^1074 / 10^1074); Number() rounds it correctly.
  const negative = total < 0n;
  const absolute = negative ? -total : total;
  const integer = absolute >> scale;
  const fraction = absolute - (integer << scale);
  const value = Number(`${integer}.${(fraction * 5n ** scale).toString().padStart(1074, '0')}`);
  return negative ? -value : value;
}

describe('ExactSum', () => {
  it('is correctly rounded and independent of order and of how the terms are split and merged', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 60 }),
        fc.nat(60),
        (values, cut) => {
          const whole = new ExactSum();
          for (const value of values) whole.add(value);
          const reversed = new ExactSum();
          for (const value of [...values].reverse()) reversed.add(value);
          const left = new ExactSum();
          const right = new ExactSum();
          values.forEach((value, index) => (index < cut ? left : right).add(value));
          left.merge(ExactSum.fromState(right.toState()));
          expect(reversed.value()).toBe(whole.value());
          expect(left.value()).toBe(whole.value());
          expect(whole.value()).toBe(exactValue(values) + 0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('sums what naive addition gets wrong', () => {
    const sum = new ExactSum();
    for (const value of [0.1, 0.2, 0.3, -0.6, 1e16, 1, -1e16]) sum.add(value);
    expect(sum.value()).toBe(1);
    const empty = new ExactSum();
    expect(empty.value()).toBe(0);
    empty.add(-0);
    expect(empty.value()).toBe(0);
    const special = new ExactSum();
    special.add(1);
    special.add(Number.POSITIVE_INFINITY);
    expect(special.value()).toBe(Number.POSITIVE_INFINITY);
  });
});

const arbitraryRecord = fc
  .record({
    app: fc.constantFrom('app-a', 'app-b'),
    status: fc.constantFrom('succeeded', 'failed', 'stopped', null),
    elapsed: fc.option(fc.double({ min: 0.001, max: 600, noNaN: true }), { nil: null }),
    tokens: fc.option(fc.nat(5000), { nil: null }),
    hour: fc.nat(47),
    user: fc.option(fc.constantFrom('u1', 'u2', 'u3'), { nil: null }),
    error: fc.option(fc.constantFrom('timeout after 30 s', 'quota', 'Code node raised ValueError at line 7'), {
      nil: null,
    }),
    nodes: fc.option(
      fc.array(
        fc.record({
          title: fc.constantFrom('LLM', 'Search', 'Loop'),
          type: fc.constantFrom('llm', 'tool', 'iteration'),
          tokens: fc.nat(2000),
          prompt: fc.option(fc.nat(1500), { nil: null }),
          price: fc.option(fc.double({ min: 0, max: 0.1, noNaN: true }), { nil: null }),
          model: fc.option(fc.constantFrom('gpt-4o', 'qwen2.5'), { nil: null }),
          status: fc.constantFrom('succeeded', 'failed'),
          elapsed: fc.option(fc.double({ min: 0.001, max: 60, noNaN: true }), { nil: null }),
        }),
        { maxLength: 4 },
      ),
      { nil: null },
    ),
  })
  .map(({ app, status, elapsed, tokens, hour, user, error, nodes }): RunRecord => {
    const createdAt = new Date(Date.parse('2026-03-08T16:00:00.000Z') + hour * 3_600_000 + 1234).toISOString();
    return run({
      appId: app,
      status,
      runId: status === null ? null : `run-${hour}-${tokens}`,
      finishedAt: elapsed === null ? null : createdAt,
      elapsedTime: elapsed,
      totalTokens: tokens,
      createdAt,
      loggedAt: createdAt,
      endUserSessionId: user,
      error,
      nodes:
        nodes?.map((spec, index) =>
          node({
            id: `n${index}`,
            title: spec.title,
            nodeType: spec.type,
            totalTokens: spec.tokens,
            promptTokens: spec.prompt,
            completionTokens: spec.prompt === null ? null : Math.max(0, spec.tokens - spec.prompt),
            totalPrice: spec.price,
            currency: spec.price === null ? null : 'USD',
            modelName: spec.model,
            modelProvider: spec.model ? 'p' : null,
            status: spec.status,
            error: spec.status === 'succeeded' ? null : 'node broke at step 3',
            elapsedTime: spec.elapsed,
          }),
        ) ?? null,
    });
  });

describe('sharded analysis', () => {
  it(
    'equals the one-pass analysis exactly, floats included, ' +
      'when shards are snapshotted, restored and merged in order',
    () => {
      fc.assert(
        fc.property(
          fc.array(fc.array(arbitraryRecord, { maxLength: 15 }), { minLength: 1, maxLength: 4 }),
          (shards) => {
            const whole = createAnalyzer(options);
            for (const record of shards.flat()) whole.add(record);
            const merged = createAnalyzer(options);
            for (const shard of shards) {
              const analyzer = createAnalyzer(options);
              for (const record of shard) analyzer.add(record);
              // The snapshot crosses threads as a structured clone.
              merged.merge(restoreAnalyzer(options, structuredClone(snapshotAnalyzer(analyzer))));
            }
            expect(merged.result()).toEqual(whole.result());
          },
        ),
        { numRuns: 60 },
      );
    },
  );

  it('merges latency shards whose highest sketch key is 0 (durations near 1 s) as one pass counts them', () => {
    // The counterexample CI found: sketches-js's own merge lost the bin of key 0 and wrote NaN past its bins.
    const shards = [[0.001], [0.9900497512437811, 0.001], [1.0000000000000002]];
    const whole = new Latency();
    for (const seconds of shards.flat()) whole.add(seconds);
    const merged = new Latency();
    for (const shard of shards) {
      const latency = new Latency();
      for (const seconds of shard) latency.add(seconds);
      merged.merge(Latency.fromState(structuredClone(latency.toState())));
    }
    expect(merged.toState()).toEqual(whole.toState());
    for (const q of [0.5, 0.9, 0.95, 0.99]) expect(merged.quantile(q)).toBe(whole.quantile(q));
  });

  it('restores an analyzer that keeps counting like the original', () => {
    const first = [
      run({ logId: 'a', elapsedTime: 0.1 }),
      run({
        logId: 'b',
        elapsedTime: 0.2,
        nodes: [
          node({
            totalPrice: 0.1,
            currency: 'USD',
            modelName: 'qwen2.5',
            promptTokens: 10,
            completionTokens: 5,
            totalTokens: 15,
          }),
        ],
      }),
    ];
    const second = [run({ logId: 'c', elapsedTime: 0.3, status: 'failed', error: 'boom 1' })];
    const original = createAnalyzer(options);
    for (const record of first) original.add(record);
    const restored = restoreAnalyzer(options, snapshotAnalyzer(original));
    for (const record of second) {
      original.add(record);
      restored.add(record);
    }
    expect(restored.result()).toEqual(original.result());
    expect(restored.result().latency.mean).toBeCloseTo(0.2, 12);
  });
});
