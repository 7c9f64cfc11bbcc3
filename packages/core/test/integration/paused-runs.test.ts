import { describe, expect, it } from 'vitest';
import { createDifyClient, exportRuns, RunRecordSchema } from '../../src/index.js';
import { memoryStateStore, memoryStorage, runPipeline } from '../../src/entries/pipeline.js';
import { collect, quickRetry, sim, workflowApp } from './helpers.js';

const window = { createdAfter: '2026-03-01T00:00:00Z', createdBefore: '2026-03-11T00:00:00Z' };

describe('paused runs (Dify 1.13 Human Input): where they wait', () => {
  it('keeps pause-details on the record of a paused run, without the form answer URL', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 40, runningRuns: 3, pausedRuns: 2 });
    const app = workflowApp(simulator);
    const client = createDifyClient({ baseUrl: simulator.url, console: { ...simulator.account }, retry: quickRetry });
    const records = await collect(exportRuns(client, { appId: app.id, withNodeExecutions: true, ...window }));
    const paused = records.filter((record) => record.status === 'paused');
    expect(paused).toHaveLength(2);
    for (const record of paused) {
      expect(record.pause).toEqual({
        pausedAt: expect.stringMatching(/Z$/),
        nodes: [
          {
            nodeId: expect.any(String),
            nodeTitle: expect.any(String),
            type: 'human_input',
            formId: expect.any(String),
          },
        ],
      });
      expect(record.pause!.pausedAt! >= record.createdAt).toBe(true);
      expect(RunRecordSchema.parse(record)).toEqual(record);
      expect(JSON.stringify(record)).not.toContain('/form/');
    }
    expect(records.filter((record) => record.status !== 'paused').every((record) => record.pause === undefined)).toBe(
      true,
    );
    // One request per paused run, none for the others.
    expect(simulator.stats().byRoute['GET /console/api/workflow/:runId/pause-details']).toBe(2);
  });

  it(
    'has nothing to ask before 1.13: no Human Input node pauses ' +
      'runs there (and the endpoint would be 404, read as no pause)',
    async () => {
      const simulator = await sim({ version: '1.11.2', runsPerApp: 40, runningRuns: 3, pausedRuns: 2 });
      const app = workflowApp(simulator);
      const client = createDifyClient({ baseUrl: simulator.url, console: { ...simulator.account }, retry: quickRetry });
      const records = await collect(exportRuns(client, { appId: app.id, withNodeExecutions: true, ...window }));
      expect(records.some((record) => record.pause !== undefined)).toBe(false);
    },
  );

  it('lists paused runs and where they wait in the JSON and Markdown reports', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 40, runningRuns: 3, pausedRuns: 2 });
    const app = workflowApp(simulator);
    const client = createDifyClient({ baseUrl: simulator.url, console: { ...simulator.account }, retry: quickRetry });
    const storage = memoryStorage();
    const result = await runPipeline(
      {
        name: 'daily',
        apps: [{ id: app.id, client }],
        window: { mode: 'explicit', from: window.createdAfter, to: window.createdBefore },
        fetch: { withNodeExecutions: true },
      },
      { storage, state: memoryStateStore(), now: () => new Date('2026-03-10T12:00:00Z') },
    );
    expect(result.status).toBe('succeeded');
    expect(result.analysis!.pausedRuns).toHaveLength(2);
    const [json, markdown] = await Promise.all(
      result.reports.map(async (report) => Buffer.from(await storage.read(report.key)).toString('utf8')),
    );
    const pausedRuns = JSON.parse(json!).pausedRuns as Array<{
      runId: string;
      nodes: Array<{ nodeTitle: string; formId: string }>;
    }>;
    expect(pausedRuns).toHaveLength(2);
    expect(markdown).toContain('## Paused runs');
    for (const run of pausedRuns)
      expect(markdown).toContain(`${run.nodes[0]!.nodeTitle} (form ${run.nodes[0]!.formId})`);
  });
});
