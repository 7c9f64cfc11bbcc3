import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivacyPolicy, silentLogger, type PrivacyOptions, type RunRecord } from '@dify-logs/core';
import { openDatabase } from '../src/index/database.js';
import { refreshIndex, type IndexSource } from '../src/index/load.js';
import { archive, fixtureRuns, localArchive } from './support.js';

// A large refresh builds runs' rows in worker threads (each makes its own policy from the options): the index must
// hold exactly what the main thread builds, so what the index shows and what search finds do not depend on it.
let local: Awaited<ReturnType<typeof localArchive>>;
const runs: RunRecord[] = fixtureRuns().map((record, index) => ({
  ...record,
  inputs: { ...record.inputs, contact: index % 4 === 0 ? `li.wei${index}@example-corp.cn` : 'n/a' },
  outputs: { phone: index % 6 === 0 ? '13912345678' : null, password: `secret-${index}` },
  error: record.error && `${record.error} (token sk-${'a'.repeat(20)})`,
}));

beforeAll(async () => {
  local = await localArchive();
  await archive(local.storage, runs, { from: '2026-03-07', to: '2026-03-10' });
});
afterAll(async () => {
  await local?.remove();
});

/** Every row of `runs` and `nodes` after a first refresh, and the main thread's calls of the policy. */
async function indexed(privacy: PrivacyOptions, workers: number) {
  const database = await openDatabase(':memory:');
  const policy = createPrivacyPolicy(privacy);
  let calls = 0;
  const counted = { ...policy, run: (record: RunRecord) => ((calls += 1), policy.run(record)) };
  const source: IndexSource = {
    storage: local.storage,
    privacy: counted,
    privacyOptions: privacy,
    workers,
    workerMinRuns: 1,
    logger: silentLogger,
  };
  try {
    const result = await refreshIndex(database, source);
    const rows = async (sql: string) => (await database.reader.runAndReadAll(sql)).getRowObjectsJson();
    return {
      result: { ...result, seconds: 0 },
      runs: await rows('SELECT * FROM runs ORDER BY seq'),
      nodes: await rows('SELECT * FROM nodes ORDER BY partition, log_id, node_id'),
      calls,
    };
  } finally {
    database.close();
  }
}

describe('rows built in worker threads', () => {
  it('index exactly what the main thread indexes, under every privacy setting', async () => {
    const settings: PrivacyOptions[] = [
      {},
      { enabled: false },
      { action: 'hash', key: 'k', fields: { drop: ['outputs.password'] }, endUser: 'hash' },
    ];
    for (const privacy of settings) {
      const here = await indexed(privacy, 0);
      const workers = await indexed(privacy, 1);
      expect(here.calls, JSON.stringify(privacy)).toBe(runs.length);
      expect(workers.calls, JSON.stringify(privacy)).toBe(0);
      expect(workers.result).toEqual(here.result);
      expect(workers.runs, JSON.stringify(privacy)).toEqual(here.runs);
      expect(workers.nodes, JSON.stringify(privacy)).toEqual(here.nodes);
      expect(here.runs).toHaveLength(runs.length);
    }
  });

  it('masks what the policy finds before it is indexed or searchable', async () => {
    const { runs: rows } = await indexed({}, 1);
    const text = JSON.stringify(rows);
    expect(text).not.toContain('li.wei0@example-corp.cn');
    expect(text).not.toContain('13912345678');
    expect(text).toContain('l***@example-corp.cn');
  });
});
