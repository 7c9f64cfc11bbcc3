import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '@dify-logs/core';
import { createExplorer, type Explorer, type RunPage, type Stats } from '../src/index.js';
import { archive, fixtureRuns, localArchive } from './support.js';

const runs = fixtureRuns();
let explorer: Explorer;
let removeArchive: () => Promise<void>;

beforeAll(async () => {
  const local = await localArchive();
  removeArchive = local.remove;
  await archive(local.storage, runs, { from: '2026-03-07', to: '2026-03-10' });
  explorer = await createExplorer({ storage: local.storage, port: 0, privacy: { enabled: false } });
});
afterAll(async () => {
  await explorer?.close();
  await removeArchive?.();
});

const get = async <T>(path: string, init?: RequestInit) => {
  const response = await fetch(`${explorer.url}${path}`, init);
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
};
const newestFirst = (records: RunRecord[]) =>
  [...records].sort(
    (a, b) =>
      b.createdAt.localeCompare(a.createdAt) || b.appId.localeCompare(a.appId) || b.logId.localeCompare(a.logId),
  );
const ids = (page: RunPage) => page.runs.map((summary) => summary.logId);
const costOf = (record: RunRecord) =>
  (record.nodes ?? []).reduce<number | null>(
    (sum, node) => (node.totalPrice === null ? sum : (sum ?? 0) + node.totalPrice),
    null,
  );

describe('GET /api/runs', () => {
  it('lists summaries newest first, without inputs, outputs and nodes', async () => {
    const { status, body } = await get<RunPage>('/api/runs?limit=500');
    expect(status).toBe(200);
    expect(ids(body)).toEqual(newestFirst(runs).map((record) => record.logId));
    expect(body.nextCursor).toBeNull();
    const { inputs: _i, outputs: _o, nodes: _n, ...summary } = runs.find((record) => record.logId === 'log-3')!;
    expect(body.runs.find((item) => item.logId === 'log-3')).toEqual(summary);
  });

  it('filters by app, status, end user, cost, elapsed time and start time', async () => {
    const check = async (query: string, keep: (record: RunRecord) => boolean) => {
      const { status, body } = await get<RunPage>(`/api/runs?limit=500&${query}`);
      expect(status, query).toBe(200);
      expect(ids(body), query).toEqual(newestFirst(runs.filter(keep)).map((record) => record.logId));
    };
    await check('app=app-b', (record) => record.appId === 'app-b');
    await check('status=failed', (record) => record.status === 'failed');
    await check('app=app-a&status=failed,stopped', (record) => record.appId === 'app-a' && record.status === 'failed');
    await check('endUser=user-2', (record) => record.endUserSessionId === 'user-2');
    await check('minCost=0.03', (record) => (costOf(record) ?? -1) >= 0.03);
    await check('minElapsed=5', (record) => (record.elapsedTime ?? 0) >= 5);
    await check('from=2026-03-08', (record) => record.createdAt >= '2026-03-08');
    await check('to=2026-03-08', (record) => record.createdAt < '2026-03-09');
    await check(
      'from=2026-03-08T10:00:00Z&to=2026-03-08T14:00:00.000Z',
      (record) => record.createdAt >= '2026-03-08T10:00:00.000Z' && record.createdAt < '2026-03-08T14:00:00.000Z',
    );
  });

  it('searches errors (the run and its nodes), inputs and outputs, case-insensitively, CJK too', async () => {
    const search = async (q: string) => ids((await get<RunPage>(`/api/runs?q=${encodeURIComponent(q)}`)).body);
    expect(await search('NEEDLE')).toEqual(['log-7']);
    expect(await search('退款')).toEqual(['log-7']);
    expect(await search('haystack answer')).toEqual(['log-11']);
    expect(await search('model timeout 15')).toEqual(['log-15']);
    expect((await search('timeout after')).length).toBe(runs.filter((record) => record.error).length);
    expect(await search('no such words')).toEqual([]);
  });

  it('pages with a keyset cursor: every run once, in order', async () => {
    for (const query of ['limit=7', 'limit=1&app=app-a', 'limit=4&status=failed']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const { status, body } = await get<RunPage>(`/api/runs?${query}${suffix}`);
        expect(status).toBe(200);
        seen.push(...ids(body));
        cursor = body.nextCursor;
        pages += 1;
      } while (cursor && pages < 100);
      const all = ids((await get<RunPage>(`/api/runs?limit=500&${query.replace(/limit=\d+&?/, '')}`)).body);
      expect(seen, query).toEqual(all);
      expect(new Set(seen).size).toBe(seen.length);
    }
  });
});

describe('GET /api/runs/:runId', () => {
  it('answers the archived record with its nodes, as stored', async () => {
    for (const record of [runs[0]!, runs[7]!, runs[12]!]) {
      const { status, body } = await get<RunRecord>(`/api/runs/${record.runId}`);
      expect(status).toBe(200);
      expect(body).toEqual(record);
    }
  });

  it('finds a run by log id too, and answers 404 for an unknown run', async () => {
    expect((await get<RunRecord>('/api/runs/log-4')).body.runId).toBe('run-4');
    const missing = await get<{ error: string }>('/api/runs/run-nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('not_found');
  });

  it('keeps a hostile string as JSON text, never as markup', async () => {
    const { body, headers } = await get<RunRecord>('/api/runs/run-7');
    expect(headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(body.inputs).toEqual({ question: '<script>alert("x")</script> 退款 needle' });
  });
});

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

describe('GET /api/stats', () => {
  it('counts runs, failures, latency percentiles, tokens and cost, in total and by day and app', async () => {
    const expected = (records: RunRecord[]) => {
      const failed = records.filter((record) => record.status === 'failed').length;
      const elapsed = records.map((record) => record.elapsedTime!);
      return {
        count: records.length,
        failed,
        failureRate: failed / records.length,
        p95: quantile(elapsed, 0.95),
        p50: quantile(elapsed, 0.5),
        tokens: records.reduce((sum, record) => sum + (record.totalTokens ?? 0), 0),
        cost: records.reduce((sum, record) => sum + (costOf(record) ?? 0), 0),
      };
    };
    const compare = (row: Stats['total'], records: RunRecord[]) => {
      const want = expected(records);
      expect(row.count).toBe(want.count);
      expect(row.failed).toBe(want.failed);
      expect(row.failureRate).toBeCloseTo(want.failureRate, 10);
      expect(row.latency.p95).toBeCloseTo(want.p95, 9);
      expect(row.latency.p50).toBeCloseTo(want.p50, 9);
      expect(row.tokens).toBe(want.tokens);
      expect(row.cost).toBeCloseTo(want.cost, 9);
    };
    const total = await get<Stats>('/api/stats');
    expect(total.status).toBe(200);
    compare(total.body.total, runs);
    const byDay = (await get<Stats>('/api/stats?groupBy=day')).body;
    expect(byDay.groups.map((group) => group.key)).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
    for (const group of byDay.groups)
      compare(
        group,
        runs.filter((record) => record.createdAt.startsWith(group.key!)),
      );
    const byApp = (await get<Stats>('/api/stats?groupBy=app&status=failed')).body;
    for (const group of byApp.groups)
      compare(
        group,
        runs.filter((record) => record.appId === group.key && record.status === 'failed'),
      );
  });

  it('groups node executions by model and by node', async () => {
    const nodes = runs.flatMap((record) => record.nodes ?? []);
    const byModel = (await get<Stats>('/api/stats?groupBy=model')).body;
    for (const group of byModel.groups) {
      const executions = nodes.filter((item) => item.modelName === group.key);
      expect(group.count).toBe(executions.length);
      expect(group.failed).toBe(executions.filter((item) => item.status === 'failed').length);
      expect(group.tokens).toBe(executions.reduce((sum, item) => sum + item.totalTokens, 0));
      expect(group.latency.p95).toBeCloseTo(
        quantile(
          executions.map((item) => item.elapsedTime!),
          0.95,
        ),
        9,
      );
    }
    expect(byModel.groups.map((group) => group.key).sort()).toEqual(['gpt-4o-mini', 'qwen-max']);
    const byNode = (await get<Stats>('/api/stats?groupBy=node&app=app-a')).body;
    const llm = byNode.groups.find((group) => group.key === 'llm')!;
    expect(llm).toMatchObject({ app: 'app-a', title: '工单分类', nodeType: 'llm' });
    expect(llm.count).toBe(runs.filter((record) => record.appId === 'app-a' && record.nodes).length);
  });
});

describe('errors and methods', () => {
  it('answers 400 naming the parameter', async () => {
    const cases: Array<[string, string]> = [
      ['/api/runs?limit=0', 'limit'],
      ['/api/runs?limit=2.5', 'limit'],
      ['/api/runs?limit=many', 'limit'],
      ['/api/runs?from=yesterday', 'from'],
      ['/api/runs?to=2026-13-45', 'to'],
      ['/api/runs?minCost=-1', 'minCost'],
      ['/api/runs?minElapsed=x', 'minElapsed'],
      ['/api/runs?cursor=bm9wZQ', 'cursor'],
      ['/api/runs?colour=red', 'colour'],
      ['/api/runs?app=a&app=b', 'app'],
      ['/api/stats?groupBy=week', 'groupBy'],
      ['/api/stats?limit=5', 'limit'],
    ];
    for (const [path, parameter] of cases) {
      const { status, body } = await get<{ error: string; parameter: string }>(path);
      expect(status, path).toBe(400);
      expect(body, path).toMatchObject({ error: 'bad_parameter', parameter });
    }
  });

  it('is read-only: other methods get 405', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(`${explorer.url}/api/runs`, { method });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
    }
  });

  it('answers 404 for an unknown path', async () => {
    expect((await get('/api/nothing')).status).toBe(404);
  });
});
