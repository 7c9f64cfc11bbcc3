import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAnalyzer, type ReportAnalysis } from '../src/entries/pipeline.js';
import type { RunRecord } from '../src/index.js';
import { compareAnalyses } from '../src/internal.js';
import { createPricer } from '../src/analysis/prices.js';
import { errorSignature } from '../src/analysis/signature.js';
import { node, run } from './support/records.js';

const options = {
  job: 'daily',
  runId: 'r1',
  window: { from: '2026-03-08T16:00:00.000Z', to: '2026-03-10T16:00:00.000Z', timezone: 'Asia/Shanghai' },
  generatedAt: '2026-03-10T16:05:00.000Z',
  consoleUrl: 'https://dify.example.com',
};

function analyse(records: RunRecord[], extra: Partial<Parameters<typeof createAnalyzer>[0]> = {}): ReportAnalysis {
  const analyzer = createAnalyzer({ ...options, ...extra });
  for (const record of records) analyzer.add(record);
  return analyzer.result();
}

describe('createAnalyzer', () => {
  it('counts statuses, success rate, triggers, versions and time buckets in the report time zone', () => {
    const analysis = analyse([
      run({ logId: 'a', status: 'succeeded', createdAt: '2026-03-09T15:30:00.000Z' }),
      run({
        logId: 'b',
        status: 'failed',
        error: 'boom',
        createdAt: '2026-03-09T15:45:00.000Z',
        triggeredFrom: 'webhook',
      }),
      run({
        logId: 'c',
        status: 'running',
        finishedAt: null,
        elapsedTime: null,
        createdAt: '2026-03-09T16:10:00.000Z',
        workflowVersion: 'draft',
      }),
      run({ logId: 'd', runId: null, status: null, createdAt: '2026-03-09T16:20:00.000Z' }),
    ]);
    expect(analysis.runs).toBe(4);
    expect(analysis.byStatus).toEqual({ succeeded: 1, failed: 1, running: 1, lost: 1 });
    expect(analysis.successRate).toBe(0.5);
    expect(analysis.byTrigger).toEqual({ 'app-run': 3, webhook: 1 });
    expect(analysis.byVersion).toEqual({ '2026-03-01 10:00:00': 3, draft: 1 });
    expect(analysis.perHour.map((hour) => [hour.start, hour.runs, hour.failed])).toEqual([
      ['2026-03-09T15:00:00.000Z', 2, 1],
      ['2026-03-09T16:00:00.000Z', 2, 0],
    ]);
    // 16:00 UTC is midnight in Shanghai: the runs fall on two local days.
    expect(analysis.perDay.map((day) => [day.start, day.runs])).toEqual([
      ['2026-03-08T16:00:00.000Z', 2],
      ['2026-03-09T16:00:00.000Z', 2],
    ]);
    expect(analysis.latency.count).toBe(3);
    expect(analysis.lostRuns).toBe(1);
  });

  it(
    'recomputes tokens from nodes without counting containers ' +
      'twice, flags the mismatch, and prices with the table over Dify',
    () => {
      const nodes = [
        node({ id: 'n1', nodeType: 'iteration', title: 'Loop docs', totalTokens: 300 }),
        node({
          id: 'n2',
          title: 'Summarise',
          totalTokens: 150,
          promptTokens: 100,
          completionTokens: 50,
          modelProvider: 'langgenius/openai/openai',
          modelName: 'gpt-4o-mini',
          totalPrice: 0.01,
          currency: 'USD',
          iterationId: 'n1',
        }),
        node({
          id: 'n3',
          title: 'Summarise',
          totalTokens: 150,
          promptTokens: 100,
          completionTokens: 50,
          modelProvider: 'langgenius/openai/openai',
          modelName: 'gpt-4o-mini',
          totalPrice: 0.01,
          currency: 'USD',
          iterationId: 'n1',
        }),
        node({
          id: 'n4',
          title: 'Local model',
          nodeType: 'llm',
          totalTokens: 1000,
          promptTokens: 800,
          completionTokens: 200,
          modelProvider: 'ollama',
          modelName: 'qwen2.5:7b',
          totalPrice: 0,
          currency: 'USD',
        }),
      ];
      const analysis = analyse([run({ totalTokens: 150, nodes })], {
        prices: [{ model: 'qwen*', input: 0.001, output: 0.002, currency: 'RMB' }],
      });
      expect(analysis.tokens).toEqual({
        stated: 150,
        effective: 1300,
        promptTokens: 1000,
        completionTokens: 300,
        mismatchedRuns: 1,
      });
      expect(analysis.tokenMismatches).toEqual([{ appId: 'app-a', runId: 'run-1', stated: 150, recomputed: 1300 }]);
      expect(analysis.cost.USD).toBeCloseTo(0.02, 10);
      expect(analysis.cost.RMB).toBeCloseTo((800 * 0.001 + 200 * 0.002) / 1000, 12);
      expect(analysis.models.map((model) => [model.model, model.calls, model.tokens])).toEqual([
        ['qwen2.5:7b', 1, 1000],
        ['gpt-4o-mini', 2, 300],
      ]);
      expect(analysis.nodes.find((entry) => entry.title === 'Summarise')).toMatchObject({
        executions: 2,
        tokens: 300,
        type: 'llm',
      });
      expect(analysis.apps[0]!.tokens).toBe(1300);
    },
  );

  it('groups errors by signature, names the failing node, and keeps first/last seen and samples', () => {
    const failing = (logId: string, at: string, message: string) =>
      run({
        logId,
        runId: `run-${logId}`,
        status: 'failed',
        loggedAt: at,
        error: 'the workflow failed',
        nodes: [node({ title: 'Call CRM', nodeType: 'http-request', status: 'failed', error: message })],
      });
    const analysis = analyse([
      failing('1', '2026-03-09T01:00:00.000Z', 'Request to https://crm.example.com/api/42 timed out after 30 s'),
      failing('2', '2026-03-09T03:00:00.000Z', 'Request to https://crm.example.com/api/7 timed out after 31 s'),
      run({
        logId: '3',
        runId: 'run-3',
        status: 'failed',
        error: 'Variable #3f2c9a1e-1111-2222-3333-444455556666 not found',
        loggedAt: '2026-03-09T02:00:00.000Z',
      }),
    ]);
    expect(analysis.errors).toHaveLength(2);
    expect(analysis.errors[0]).toMatchObject({
      signature: 'Request to <url> timed out after <n> s',
      node: 'Call CRM',
      count: 2,
      firstSeen: '2026-03-09T01:00:00.000Z',
      lastSeen: '2026-03-09T03:00:00.000Z',
    });
    expect(analysis.errors[0]!.samples).toEqual([
      { appId: 'app-a', runId: 'run-1' },
      { appId: 'app-a', runId: 'run-2' },
    ]);
    expect(analysis.errors[1]).toMatchObject({ signature: 'Variable #<id> not found', node: null, count: 1 });
    expect(analysis.nodes[0]).toMatchObject({ title: 'Call CRM', failed: 2 });
  });

  it('keeps the slowest runs and the end users', () => {
    const analysis = analyse(
      Array.from({ length: 30 }, (_, index) =>
        run({
          logId: `l${index}`,
          runId: `r${index}`,
          elapsedTime: index,
          endUserSessionId: index % 3 === 0 ? null : `u${index % 2}`,
          accountEmail: index % 3 === 0 ? 'ops@example.com' : null,
        }),
      ),
    );
    expect(analysis.slowestRuns.map((slow) => slow.seconds)).toEqual([29, 28, 27, 26, 25, 24, 23, 22, 21, 20]);
    expect(analysis.endUsers.map((user) => [user.user, user.runs])).toEqual([
      ['ops@example.com', 10],
      ['u0', 10],
      ['u1', 10],
    ]);
  });
});

describe('errorSignature', () => {
  it('strips ids, numbers, URLs and e-mails, and keeps the words', () => {
    expect(
      errorSignature(
        'User alice@example.com: 429 from https://api.openai.com/v1/chat (retry in 2.5s), trace 7f3a9c2e1b4d5f60aa',
      ),
    ).toBe('User <email>: <n> from <url> (retry in <n>s), trace <id>');
    expect(errorSignature('  multi\n line   message ')).toBe('multi line message');
  });
});

describe('latency percentiles', () => {
  it('are within 1 % relative of the exact quantiles on 1,000,000 values', () => {
    const analyzer = createAnalyzer(options);
    const values = new Float64Array(1_000_000);
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const base = run();
    for (let index = 0; index < values.length; index += 1) {
      // Log-normal-ish run times from 50 ms to minutes.
      const value = Math.exp(random() * 4 - 1) * (random() < 0.05 ? 20 : 1);
      values[index] = value;
      analyzer.add({ ...base, elapsedTime: value });
    }
    const sorted = values.slice().sort();
    const exact = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
    const { latency } = analyzer.result();
    for (const [q, estimate] of [
      [0.5, latency.p50],
      [0.9, latency.p90],
      [0.95, latency.p95],
      [0.99, latency.p99],
    ] as const) {
      expect(Math.abs(estimate! - exact(q)) / exact(q)).toBeLessThan(0.01);
    }
    expect(latency.count).toBe(1_000_000);
  }, 60_000);

  it('merged shards agree with one pass even for durations near the smallest doubles', () => {
    // Found by the merge property: with these shards, 2.12e-308 s fell into the key of 1.12e-308 s once merged.
    const shards = [[1.1237182049244914e-308], [0.9900497512437811, 1.1237182049244914e-308, 2.1176455606798015e-308]];
    const whole = createAnalyzer(options);
    const parts = shards.map((values) => {
      const part = createAnalyzer(options);
      for (const value of values) {
        part.add({ ...run(), elapsedTime: value });
        whole.add({ ...run(), elapsedTime: value });
      }
      return part;
    });
    parts[0]!.merge(parts[1]!);
    expect(parts[0]!.result().latency).toEqual(whole.result().latency);
    expect(whole.result().latency).toMatchObject({ count: 4, p50: 0, p99: 0, max: 0.9900497512437811 });
  });
});

/** Floats rounded so that sums in another order compare equal. */
function normalise(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? value : Number(value.toPrecision(9));
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, normalise(item)]));
  return value;
}

const arbitraryRecord = fc
  .record({
    app: fc.constantFrom('app-a', 'app-b', 'app-c'),
    status: fc.constantFrom('succeeded', 'failed', 'stopped', 'partial-succeeded', 'running', null),
    elapsed: fc.option(fc.double({ min: 0, max: 600, noNaN: true }), { nil: null }),
    tokens: fc.option(fc.nat(5000), { nil: null }),
    hour: fc.nat(47),
    user: fc.option(fc.constantFrom('u1', 'u2', 'u3'), { nil: null }),
    error: fc.option(
      fc.constantFrom('timeout after 30 s', 'timeout after 31 s', 'bad key sk-abc123def456ghi789jkl012mno', 'quota'),
      { nil: null },
    ),
    nodes: fc.option(
      fc.array(
        fc.record({
          title: fc.constantFrom('LLM', 'Search', 'Code', 'Loop'),
          type: fc.constantFrom('llm', 'tool', 'code', 'iteration'),
          tokens: fc.nat(2000),
          prompt: fc.option(fc.nat(1500), { nil: null }),
          price: fc.option(fc.double({ min: 0, max: 0.1, noNaN: true }), { nil: null }),
          model: fc.option(fc.constantFrom('gpt-4o', 'qwen2.5'), { nil: null }),
          status: fc.constantFrom('succeeded', 'failed', 'exception'),
          elapsed: fc.option(fc.double({ min: 0, max: 60, noNaN: true }), { nil: null }),
        }),
        { maxLength: 5 },
      ),
      { nil: null },
    ),
  })
  .map(({ app, status, elapsed, tokens, hour, user, error, nodes }) => {
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

describe('merging', () => {
  it('the analysis of a concatenation equals the merge of the analyses of its parts', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryRecord, { maxLength: 40 }),
        fc.array(arbitraryRecord, { maxLength: 40 }),
        (left, right) => {
          const whole = createAnalyzer(options);
          for (const record of [...left, ...right]) whole.add(record);
          const first = createAnalyzer(options);
          const second = createAnalyzer(options);
          for (const record of left) first.add(record);
          for (const record of right) second.add(record);
          first.merge(second);
          expect(normalise(first.result())).toEqual(normalise(whole.result()));
        },
      ),
      { numRuns: 100 },
    );
    // Durations near 0 (down to 5e-324) are generated on purpose: the sketch counts those under 1 ns as 0.
  }, 120_000);
});

describe('compareAnalyses', () => {
  const base = (runs: number, failed: number, p95: number, cost: number) => {
    const analysis = analyse([]);
    return {
      ...analysis,
      runs,
      byStatus: { succeeded: runs - failed, failed },
      successRate: (runs - failed) / runs,
      latency: { ...analysis.latency, p95 },
      cost: { USD: cost },
    };
  };

  it('flags a success-rate drop, a p95 rise and a cost rise with explainable messages; nothing when stable', () => {
    const comparison = compareAnalyses(base(100, 30, 9, 3), base(100, 5, 4, 1));
    expect(comparison.flags.map((flag) => [flag.metric, flag.severity])).toEqual([
      ['successRate', 'critical'],
      ['p95', 'critical'],
      ['cost', 'critical'],
    ]);
    expect(comparison.flags[0]!.message).toBe('Success rate fell 25.0 points (95.0 % → 70.0 %); threshold 5.0 points.');
    expect(comparison.runs.change).toBe(0);
    expect(compareAnalyses(base(100, 5, 4, 1), base(95, 5, 4.2, 1.1)).flags).toEqual([]);
  });

  it('does not judge periods that are too small', () => {
    expect(compareAnalyses(base(5, 4, 9, 3), base(4, 0, 1, 1)).flags).toEqual([]);
  });
});

describe('createPricer', () => {
  it('names the key of a bad price rule', () => {
    expect(() => createPricer([{ model: 'x', input: -1, output: 0, currency: 'USD' }])).toThrow(/prices\.0\.input/);
  });
});
