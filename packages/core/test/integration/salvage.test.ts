import { describe, expect, it } from 'vitest';
import { createDifyClient, exportRuns } from '../../src/index.js';
import type { DroppedLogRow } from '../../src/entries/client.js';
import { collect, quickRetry, recordingLogger, sim, workflowApp } from './helpers.js';

type Body = Record<string, unknown>;

/** A fetch that rewrites the simulator's JSON answers on their way back: Dify releases or rows that drifted. */
function driftingFetch(rewrite: (url: string, body: Body) => void) {
  return async (input: string | URL | Request, init?: RequestInit) => {
    const response = await fetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (!response.ok || !(response.headers.get('content-type') ?? '').includes('json')) return response;
    const body = (await response.json()) as Body;
    rewrite(url, body);
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    return new Response(JSON.stringify(body), { status: response.status, headers });
  };
}

const rows = (body: Body) => (Array.isArray(body.data) ? (body.data as Body[]) : []);

describe('salvage, never drop', () => {
  for (const surface of ['service', 'console'] as const) {
    it(`keeps every run when a log row has malformed optional fields (${surface})`, async () => {
      const simulator = await sim({ version: '1.13.3', runsPerApp: 237 });
      const app = workflowApp(simulator);
      const clean = await collect(
        exportRuns(createDifyClient({ baseUrl: simulator.url, apiKey: app.apiKey, appId: app.id, retry: quickRetry }), {
          appId: app.id,
          withDetails: true,
        }),
      );
      let drifted: string | undefined;
      const fetch = driftingFetch((url, body) => {
        if (!/workflows\/logs|workflow-app-logs/.test(url)) return;
        const row = rows(body)[3];
        if (!row || drifted) return;
        drifted = row.id as string;
        const run = row.workflow_run as Body;
        run.total_tokens = 'n/a';
        run.total_steps = { steps: 5 };
      });
      const { logger, lines } = recordingLogger();
      const credentials =
        surface === 'service' ? { apiKey: app.apiKey, appId: app.id } : { console: { ...simulator.account } };
      const client = createDifyClient({ baseUrl: simulator.url, ...credentials, retry: quickRetry, fetch, logger });
      let progress: { salvaged: number; droppedRows: number } | undefined;
      const records = await collect(
        exportRuns(client, {
          appId: app.id,
          withDetails: true,
          logger,
          onProgress: (current) => (progress = { ...current }),
        }),
      );
      expect(records).toHaveLength(237);
      expect(records.map((record) => record.logId)).toEqual(clean.map((record) => record.logId));
      const salvaged = records.find((record) => record.logId === drifted)!;
      // Run detail answers the totals again; what the log row alone carried is empty, never the bad value.
      expect(salvaged.totalTokens).toBe(clean.find((record) => record.logId === drifted)!.totalTokens);
      expect(progress).toMatchObject({ salvaged: 1, droppedRows: 0 });
      const warnings = lines.filter((line) => line.level === 'warn' && line.fields.logId === drifted);
      expect(warnings.map((line) => [line.fields.field, line.fields.type])).toEqual([
        ['workflow_run.total_tokens', 'string'],
        ['workflow_run.total_steps', 'object'],
      ]);
      expect(warnings[0]!.fields.appId).toBe(app.id);
      expect(JSON.stringify(lines)).not.toContain('n/a');
    });
  }

  it(
    'keeps runs whose detail and node executions drifted, ' + 'and reports a row without a log id with its position',
    async () => {
      const simulator = await sim({ version: '1.13.3', runsPerApp: 60 });
      const app = workflowApp(simulator);
      let droppedId: string | undefined;
      const fetch = driftingFetch((url, body) => {
        if (/workflow-app-logs/.test(url) && !droppedId) {
          const row = rows(body)[7]!;
          droppedId = row.id as string;
          row.id = 12345;
        } else if (/node-executions/.test(url)) {
          for (const node of rows(body)) {
            node.elapsed_time = 'slow';
            node.execution_metadata = 7;
            node.finished_at = 'yesterday';
          }
        } else if (/workflow-runs\/[^/]+$/.test(url)) {
          body.inputs = '{not json';
          body.exceptions_count = [1];
        }
      });
      const { logger } = recordingLogger();
      const client = createDifyClient({
        baseUrl: simulator.url,
        console: { ...simulator.account },
        retry: quickRetry,
        fetch,
        logger,
      });
      const dropped: DroppedLogRow[] = [];
      let progress: { salvaged: number; droppedRows: number; enrichmentFailures: number } | undefined;
      const records = await collect(
        exportRuns(client, {
          appId: app.id,
          withDetails: true,
          withNodeExecutions: true,
          onDroppedRow: (row) => dropped.push(row),
          onProgress: (current) => (progress = { ...current }),
        }),
      );
      expect(records).toHaveLength(59);
      expect(records.some((record) => record.logId === droppedId)).toBe(false);
      expect(dropped).toEqual([
        {
          appId: app.id,
          endpoint: `GET /console/api/apps/${app.id}/workflow-app-logs`,
          page: 1,
          position: 7,
          field: 'data.7.id',
          problem: expect.any(String),
        },
      ]);
      expect(progress).toMatchObject({ salvaged: 59, droppedRows: 1, enrichmentFailures: 0 });
      for (const record of records) {
        expect(record.inputs).toBeNull();
        expect(record.outputs).not.toBeNull();
        expect(record.nodes!.length).toBeGreaterThan(0);
        for (const node of record.nodes!) {
          expect(node.elapsedTime).toBeNull();
          expect(node.finishedAt).toBeNull();
        }
      }
    },
  );

  it('keeps conversations and messages whose fields drifted, and warns without the values', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 40 });
    const app = simulator.apps.find((candidate) => candidate.mode === 'advanced-chat')!;
    const reference = createDifyClient({
      baseUrl: simulator.url,
      console: { ...simulator.account },
      retry: quickRetry,
    });
    const expected: string[] = [];
    for await (const conversation of reference.conversations(app.id, {
      updatedSince: new Date('2026-03-01T00:00:00Z'),
    }))
      expected.push(conversation.id);
    const fetch = driftingFetch((url, body) => {
      if (/chat-conversations/.test(url)) for (const row of rows(body)) row.message_count = 'many';
      if (/chat-messages/.test(url)) for (const row of rows(body)) row.answer_tokens = { n: 1 };
    });
    const { logger, lines } = recordingLogger();
    const client = createDifyClient({
      baseUrl: simulator.url,
      console: { ...simulator.account },
      retry: quickRetry,
      fetch,
      logger,
    });
    const conversations: string[] = [];
    for await (const conversation of client.conversations(app.id, { updatedSince: new Date('2026-03-01T00:00:00Z') }))
      conversations.push(conversation.id);
    expect(conversations.sort()).toEqual(expected.sort());
    const messages = [];
    for await (const message of client.messages(app.id, conversations[0]!)) messages.push(message);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.every((message) => message.answer_tokens === undefined)).toBe(true);
    const warned = lines.filter((line) => line.level === 'warn');
    expect(
      warned.some(
        (line) =>
          line.fields.field === 'message_count' &&
          line.fields.type === 'string' &&
          line.fields.conversationId === conversations[0],
      ),
    ).toBe(true);
    expect(warned.some((line) => line.fields.field === 'answer_tokens' && line.fields.type === 'object')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('many');
  });
});
