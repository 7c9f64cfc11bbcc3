import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '@dify-logs/core';
import { listPartitions } from '@dify-logs/core/archive';
import { createExplorer, type Explorer } from '../src/index.js';
import { archive, localArchive, run } from './support.js';

// Runs are read back from their archive part when their page is opened (the index keeps a pointer).
let explorer: Explorer;
let local: Awaited<ReturnType<typeof localArchive>>;
const runs = Array.from({ length: 30 }, (_, index) =>
  run({
    appId: `app-${index % 3}`,
    logId: `log-${index}`,
    runId: `run-${index}`,
    createdAt: `2026-03-0${7 + (index % 3)}T10:00:${String(index).padStart(2, '0')}.000Z`,
    loggedAt: `2026-03-0${7 + (index % 3)}T10:00:${String(index).padStart(2, '0')}.000Z`,
    inputs: { question: `question ${index}`, email: index === 4 ? 'li.wei@example-corp.cn' : null },
  }),
);

beforeAll(async () => {
  local = await localArchive();
  await archive(local.storage, runs, { from: '2026-03-07', to: '2026-03-10' });
  explorer = await createExplorer({ storage: local.storage, port: 0, privacy: { enabled: false } });
});
afterAll(async () => {
  await explorer?.close();
  await local?.remove();
});

const detail = async (id: string) => {
  const response = await fetch(`${explorer.url}/api/runs/${id}`);
  return { status: response.status, body: (await response.json()) as RunRecord };
};

describe('run pages read from the archive', () => {
  it('reads every run of nine partitions back, more parts than the reader keeps, in any order', async () => {
    for (const index of [0, 29, 3, 17, 8, 22, 11, 5, 26, 14, 1, 29, 0])
      expect((await detail(`run-${index}`)).body, `run-${index}`).toEqual(runs[index]);
  });

  it('applies the privacy policy to what it reads back', async () => {
    const masked = await createExplorer({ storage: local.storage, port: 0 });
    try {
      const body = (await (await fetch(`${masked.url}/api/runs/run-4`)).json()) as RunRecord;
      expect(body.inputs?.email).not.toBe('li.wei@example-corp.cn');
      expect(body.inputs?.question).toBe('question 4');
    } finally {
      await masked.close();
    }
  });

  it('answers 404 when the part is gone before the next refresh (a cleaned archive)', async () => {
    const fresh = await createExplorer({ storage: local.storage, port: 0, privacy: { enabled: false } });
    try {
      const [partition] = await listPartitions(local.storage, { from: '2026-03-08', to: '2026-03-08', app: 'app-1' });
      for (const part of partition!.manifest.parts) await local.storage.delete(part.key);
      const gone = runs.find((record) => record.createdAt.startsWith('2026-03-08') && record.appId === 'app-1')!;
      expect((await fetch(`${fresh.url}/api/runs/${gone.runId}`)).status).toBe(404);
      expect((await fetch(`${fresh.url}/api/runs/run-0`)).status).toBe(200);
    } finally {
      await fresh.close();
    }
  });
});
