// An explicit window that starts before Dify's log retention, on a Dify with no archive of older runs (before 1.13, or
// without the paid-plan archive), is named in the report: runs of the window's start may already be deleted.
import { describe, expect, it } from 'vitest';
import { createDifyClient } from '../../src/index.js';
import { memoryStateStore, memoryStorage, runPipeline, type PipelineJob } from '../../src/entries/pipeline.js';
import { quickRetry, sim, workflowApp } from './helpers.js';

const now = () => new Date('2026-03-10T12:00:00Z');

async function run(version: '1.13.3' | '1.11.2', from: string, extra: Partial<PipelineJob> = {}) {
  const simulator = await sim({ version, runsPerApp: 40, days: 3, runningRuns: 0 });
  const app = workflowApp(simulator);
  const client = createDifyClient({ baseUrl: simulator.url, console: { ...simulator.account }, retry: quickRetry });
  const storage = memoryStorage();
  try {
    const result = await runPipeline(
      {
        name: 'backfill',
        apps: [{ id: app.id, client }],
        window: { mode: 'explicit', from, to: '2026-03-10T12:00:00Z' },
        report: { formats: ['json', 'markdown'] },
        ...extra,
      },
      { storage, state: memoryStateStore(), now },
    );
    const markdown = result.reports.find((report) => report.key.endsWith('.md'));
    return { app, result, markdown: markdown ? Buffer.from(await storage.read(markdown.key)).toString('utf8') : '' };
  } finally {
    await client.close();
    await simulator.close();
  }
}

describe("a window that reaches past Dify's retention", () => {
  it('on a Dify without an archive: the report names the cut-off, the assumed default and the apps', async () => {
    const { app, result, markdown } = await run('1.11.2', '2026-01-29T00:00:00Z');
    expect(result.status).toBe('succeeded');
    expect(result.analysis!.retention).toEqual({
      days: 30,
      assumed: true,
      cutoff: '2026-02-08T12:00:00.000Z',
      apps: [app.id],
    });
    expect(markdown).toContain(
      "The window starts before Dify's log retention (30 days, Dify's " +
        'default when its log cleanup is on; set dify.retentionDays)',
    );
    expect(markdown).toContain('runs before 2026-02-08T12:00:00.000Z may have been deleted');
  });

  it(
    'a configured retention that covers the window says ' + 'nothing; one that does not is stated as configured',
    async () => {
      expect(
        (await run('1.11.2', '2026-01-29T00:00:00Z', { fetch: { retentionDays: 60 } })).result.analysis!.retention,
      ).toBeUndefined();
      expect(
        (await run('1.11.2', '2026-03-01T00:00:00Z', { fetch: { retentionDays: 7 } })).result.analysis!.retention,
      ).toMatchObject({ days: 7, assumed: false });
    },
  );

  it('says nothing when Dify offers its archive, or when the window is inside the retention', async () => {
    expect((await run('1.13.3', '2026-01-29T00:00:00Z')).result.analysis!.retention).toBeUndefined();
    expect((await run('1.11.2', '2026-03-05T00:00:00Z')).result.analysis!.retention).toBeUndefined();
  });
});
