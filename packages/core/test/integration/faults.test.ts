import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DifyNetworkError, DifyResponseError, createDifyClient } from '../../src/index.js';
import { droppedRows } from '../../src/client/schemas/salvage.js';
import { collect, consoleClient, exportRuns, keyClient, sim, workflowApp } from './helpers.js';

describe('faults', () => {
  it('completes an export through 429s, 500s, resets, broken JSON and HTML 502 pages', async () => {
    const simulator = await sim({ runsPerApp: 150 });
    const clean = await collect(exportRuns(keyClient(simulator), { withDetails: true, limit: 25 }));
    simulator.setFaults({
      rate429: 0.08,
      retryAfterSeconds: 0,
      rate5xx: 0.08,
      rateReset: 0.05,
      rateMalformed: 0.05,
      rate502Html: 0.05,
    });
    const client = keyClient(simulator, { retry: { retries: 8, minDelayMs: 1, maxDelayMs: 5 } });
    const faulty = await collect(exportRuns(client, { withDetails: true, limit: 25, concurrency: 8 }));
    expect(simulator.stats().faultsInjected).toBeGreaterThan(5);
    expect(client.stats().retries).toBeGreaterThan(5);
    expect(faulty).toEqual(clean);
  });

  it('waits for Retry-After before repeating a 429', async () => {
    const simulator = await sim();
    simulator.setFaults({ rate429: 1, retryAfterSeconds: 1 });
    const client = keyClient(simulator, { retry: { retries: 3, minDelayMs: 1, maxDelayMs: 2 } });
    const started = Date.now();
    const page = client.logPage({ limit: 1 });
    setTimeout(() => simulator.setFaults(undefined), 200);
    await page;
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(client.stats().retries).toBe(1);
  });

  it('pauses the longer of Retry-After and its own back-off, not both added', async () => {
    const simulator = await sim();
    simulator.setFaults({ rate429: 1, retryAfterSeconds: 1 });
    const client = keyClient(simulator, { retry: { retries: 1, minDelayMs: 1_000, maxDelayMs: 1_000 } });
    const started = Date.now();
    const page = client.logPage({ limit: 1 });
    setTimeout(() => simulator.setFaults(undefined), 200);
    await page;
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(1_800);
  });

  it('times out a slow body and says which endpoint', async () => {
    const simulator = await sim();
    simulator.setFaults({ rateSlowBody: 1, slowBodyMs: 3000 });
    const client = keyClient(simulator, { timeoutMs: 300, retry: { retries: 1, minDelayMs: 1, maxDelayMs: 1 } });
    const error = await client.logPage({ limit: 5 }).catch((caught: unknown) => caught);
    expect(DifyNetworkError.isInstance(error)).toBe(true);
    expect((error as DifyNetworkError).code).toBe('timeout');
    expect((error as Error).message).toMatch(
      /GET \/v1\/workflows\/logs \(http:\/\/127\.0\.0\.1:\d+\/v1\/workflows\/logs\) timed out after 0\.3 s/,
    );
  });

  it('keeps runs whose node executions keep failing, flagged, and goes on', async () => {
    const simulator = await sim({ version: '1.13.3' });
    simulator.setFaults({ rate5xx: 1, paths: 'node-executions' });
    const client = consoleClient(simulator, { retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 } });
    const records = await collect(
      exportRuns(client, {
        appId: workflowApp(simulator).id,
        withDetails: true,
        withNodeExecutions: true,
        maxPages: 1,
        limit: 10,
      }),
    );
    expect(records).toHaveLength(10);
    for (const record of records) {
      expect(record.enrichmentError).toMatchObject({ stage: 'nodes', code: 'unknown' });
      expect(record.nodes).toBeNull();
      expect(record.inputs).not.toBeNull();
    }
  });

  it('names the endpoint and field of a body with the wrong shape, and does not retry it', async () => {
    let requests = 0;
    const server = createServer((request, response) => {
      requests += 1;
      response.setHeader('content-type', 'application/json');
      const row = { id: 'log-1', created_at: 1772440512 };
      // The envelope is wrong on the first request; on the second, one row has no usable id and is left out.
      const body =
        requests === 1
          ? { page: 1, limit: 20, total: 1, has_more: 'no', data: [row] }
          : { page: 1, limit: 20, total: 2, has_more: false, data: [{ id: 42, created_at: 1772440512 }, row] };
      response.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = createDifyClient({
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        apiKey: 'app-test',
      });
      const error = await client.logPage().catch((caught: unknown) => caught);
      expect(DifyResponseError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ endpoint: 'GET /v1/workflows/logs', field: 'has_more', isRetryable: false });
      expect(requests).toBe(1);
      const page = await client.logPage();
      expect(page.data.map((item) => item.id)).toEqual(['log-1']);
      expect(droppedRows(page)).toEqual([
        { list: 'data', position: 0, field: 'data.0.id', problem: expect.stringMatching(/string/) },
      ]);
      expect(requests).toBe(2);
    } finally {
      server.close();
    }
  });
});

describe('drift between pages', () => {
  it('exports exactly the runs present at the start while new runs arrive during paging', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 200, runningRuns: 0 });
    const app = workflowApp(simulator);
    const client = keyClient(simulator);
    // The simulator's clock (2026-03-10) is behind ours, so the runs it adds fall inside an open-ended window,
    // at the head of the list, while the export pages through it: the case that makes offset pages drift.
    const before = await collect(exportRuns(client, { limit: 10 }));
    let pages = 0;
    const during = await collect(
      exportRuns(client, {
        limit: 10,
        onProgress: (progress) => {
          if (progress.pages > pages) {
            pages = progress.pages;
            simulator.addRuns(app.id, 7);
          }
        },
      }),
    );
    expect(pages).toBeGreaterThan(10);
    expect(during.map((record) => record.logId)).toEqual(before.map((record) => record.logId));
    expect((await client.logPage({ limit: 1 })).total).toBe(before.length + 7 * pages);
    // Offset paging would need a page for every 3 fresh items here; the time cursor re-reads only its boundary item.
    expect(pages).toBeLessThanOrEqual(Math.ceil(before.length / 9) + 1);
  });

  it('does not lose or repeat runs when more than a page share one second', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 600, days: 0.002, runningRuns: 0 });
    const client = keyClient(simulator);
    const total = (await client.logPage({ limit: 1 })).total;
    const records = await collect(exportRuns(client, { limit: 2 }));
    expect(records).toHaveLength(total);
    expect(new Set(records.map((record) => record.logId)).size).toBe(total);
  });
});
