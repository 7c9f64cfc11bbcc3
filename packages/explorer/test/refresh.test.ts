import { afterEach, describe, expect, it } from 'vitest';
import { DifyConfigError, type RunRecord } from '@dify-logs/core';
import { createExplorer, type Explorer, type RunPage } from '../src/index.js';
import { archive, localArchive, run } from './support.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setUp(records: RunRecord[], options: Partial<Parameters<typeof createExplorer>[0]> = {}) {
  const local = await localArchive();
  cleanup.push(local.remove);
  if (records.length > 0) await archive(local.storage, records, { from: '2026-03-09', to: '2026-03-10' });
  const explorer = await createExplorer({ storage: local.storage, port: 0, privacy: { enabled: false }, ...options });
  cleanup.push(() => explorer.close());
  return { ...local, explorer };
}
const list = async (explorer: Explorer, query = '') =>
  (await (await fetch(`${explorer.url}/api/runs?limit=500${query}`)).json()) as RunPage;
const day = (date: string, index: number) =>
  run({
    logId: `log-${date}-${index}`,
    runId: `run-${date}-${index}`,
    loggedAt: `${date}T10:0${index}:00.000Z`,
    createdAt: `${date}T10:0${index}:00.000Z`,
  });

describe('incremental refresh', () => {
  it('loads a new partition, reloads a replaced one without duplicates, and skips the unchanged', async () => {
    const { storage, explorer } = await setUp([day('2026-03-09', 1), day('2026-03-09', 2)]);
    expect((await list(explorer)).runs).toHaveLength(2);
    expect(await explorer.refresh()).toMatchObject({ loaded: 0, removed: 0 });

    await archive(storage, [day('2026-03-10', 1)], { from: '2026-03-10', to: '2026-03-11' });
    expect(await explorer.refresh()).toMatchObject({ loaded: 1, runs: 1 });
    expect((await list(explorer)).runs.map((summary) => summary.logId)).toEqual([
      'log-2026-03-10-1',
      'log-2026-03-09-2',
      'log-2026-03-09-1',
    ]);

    // A later pipeline run over 2026-03-09 replaces that partition: one run changed, one added.
    const replaced = [{ ...day('2026-03-09', 1), status: 'failed' }, day('2026-03-09', 2), day('2026-03-09', 3)];
    await archive(storage, replaced, { from: '2026-03-09', to: '2026-03-10' });
    expect(await explorer.refresh()).toMatchObject({ loaded: 1, runs: 3 });
    const after = await list(explorer);
    expect(after.runs.map((summary) => summary.logId).sort()).toEqual([
      'log-2026-03-09-1',
      'log-2026-03-09-2',
      'log-2026-03-09-3',
      'log-2026-03-10-1',
    ]);
    expect(after.runs.find((summary) => summary.logId === 'log-2026-03-09-1')?.status).toBe('failed');
    const stats = (await (await fetch(`${explorer.url}/api/stats`)).json()) as { total: { count: number } };
    expect(stats.total.count).toBe(4);
    expect(await explorer.refresh()).toMatchObject({ loaded: 0 });
  });

  it('keeps a run archived by two jobs once', async () => {
    const { storage, explorer } = await setUp([day('2026-03-09', 1)]);
    await archive(
      storage,
      [day('2026-03-09', 1), day('2026-03-09', 2)],
      { from: '2026-03-09', to: '2026-03-10' },
      'hourly',
    );
    await explorer.refresh();
    expect((await list(explorer)).runs.map((summary) => summary.logId).sort()).toEqual([
      'log-2026-03-09-1',
      'log-2026-03-09-2',
    ]);
  });

  it('starts on an empty archive and keeps an index file between starts', async () => {
    const local = await localArchive();
    cleanup.push(local.remove);
    const indexFile = `${local.baseDir}/index/explorer.duckdb`;
    const first = await createExplorer({ storage: local.storage, port: 0, indexFile });
    expect((await list(first)).runs).toEqual([]);
    await archive(local.storage, [day('2026-03-09', 1)], { from: '2026-03-09', to: '2026-03-10' });
    expect(await first.refresh()).toMatchObject({ loaded: 1 });
    await first.close();
    const second = await createExplorer({ storage: local.storage, port: 0, indexFile });
    cleanup.push(() => second.close());
    expect(await second.refresh()).toMatchObject({ loaded: 0 });
    expect((await list(second)).runs).toHaveLength(1);
  });
});

describe('privacy', () => {
  it('serves records as the privacy policy lets them through, and search sees only that', async () => {
    const record = run({
      inputs: { question: 'mail me at li.wei@example-corp.cn or call 13912345678' },
      outputs: { answer: 'ok' },
    });
    const { explorer } = await setUp([record], { privacy: {} });
    const detail = (await (await fetch(`${explorer.url}/api/runs/run-1`)).json()) as RunRecord;
    const question = String(detail.inputs?.question);
    expect(question).not.toContain('li.wei@example-corp.cn');
    expect(question).not.toContain('13912345678');
    expect(question).toContain('***@example-corp.cn');
    expect((await list(explorer, '&q=li.wei')).runs).toEqual([]);
  });
});

describe('security', () => {
  it('refuses to listen beyond loopback without credentials, naming serve.token', async () => {
    const local = await localArchive();
    cleanup.push(local.remove);
    const error = await createExplorer({ storage: local.storage, host: '0.0.0.0', port: 0 }).catch((error) => error);
    expect(DifyConfigError.isInstance(error)).toBe(true);
    expect((error as DifyConfigError).key).toBe('serve.token');
  });

  it('asks for the bearer token or the basic credentials once configured', async () => {
    const { explorer } = await setUp([run()], {
      host: '0.0.0.0',
      token: 'a-long-token',
      basic: { user: 'ops', password: 'pässwort' },
    });
    const url = explorer.url.replace('0.0.0.0', '127.0.0.1');
    const status = async (authorization?: string) =>
      (await fetch(`${url}/api/runs`, authorization ? { headers: { authorization } } : {})).status;
    expect(await status()).toBe(401);
    expect(await status('Bearer wrong')).toBe(401);
    expect(await status('Bearer a-long-token')).toBe(200);
    expect(await status(`Basic ${Buffer.from('ops:wrong').toString('base64')}`)).toBe(401);
    expect(await status(`Basic ${Buffer.from('ops:pässwort').toString('base64')}`)).toBe(200);
    const response = await fetch(`${url}/api/runs`);
    expect(response.headers.get('www-authenticate')).toContain('Basic');
  });
});
