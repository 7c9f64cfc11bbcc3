import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { DIFY_WORKER_CONNECTIONS, workerConnectionsCapacity } from '../src/index.js';
import { call, login, service, sim, workflowApp } from './helpers.js';

describe('fault injection', () => {
  it('answers 429 too_many_requests with Retry-After (default 1, may be 0, or none)', async () => {
    const simulator = await sim({ faults: { rate429: 1 } });
    const reply = await service(simulator, '/workflows/logs');
    expect(reply.status).toBe(429);
    expect(reply.body).toEqual({
      code: 'too_many_requests',
      message: 'Too many requests. Please try again later.',
      status: 429,
    });
    expect(reply.headers.get('retry-after')).toBe('1');
    simulator.setFaults({ rate429: 1, retryAfterSeconds: 0 });
    expect((await service(simulator, '/workflows/logs')).headers.get('retry-after')).toBe('0');
    simulator.setFaults({ rate429: 1, retryAfterSeconds: null });
    const gateway = await service(simulator, '/workflows/logs');
    expect(gateway.status).toBe(429);
    expect(gateway.headers.has('retry-after')).toBe(false);
    expect(simulator.stats().faultsInjected).toBe(3);
  });

  it('answers 500 in Dify shape and nginx 502 HTML pages', async () => {
    const simulator = await sim({ faults: { rate5xx: 1 } });
    const error = await service(simulator, '/workflows/logs');
    expect(error.status).toBe(500);
    expect(error.body).toEqual({ message: 'Internal Server Error', code: 'unknown', status: 500 });
    simulator.setFaults({ rate502Html: 1 });
    const html = await service(simulator, '/workflows/logs');
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toBe('text/html');
    expect(html.text).toMatch(/<title>502 Bad Gateway<\/title>[\s\S]*nginx/);
  });

  it('resets the connection without a response', async () => {
    const simulator = await sim({ faults: { rateReset: 1 } });
    const failure = await fetch(`${simulator.url}/v1/workflows/logs`, {
      headers: { authorization: `Bearer ${workflowApp(simulator).apiKey}` },
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
    expect(simulator.stats().faultsInjected).toBe(1);
  });

  it('sends 200 with truncated JSON', async () => {
    const simulator = await sim({ faults: { rateMalformed: 1 } });
    const reply = await service(simulator, '/workflows/logs');
    expect(reply.status).toBe(200);
    expect(reply.text.startsWith('{"page":1')).toBe(true);
    expect(() => JSON.parse(reply.text)).toThrow();
  });

  it('trickles a slow body after sending the headers at once', async () => {
    const simulator = await sim({ faults: { rateSlowBody: 1, slowBodyMs: 400 } });
    const started = performance.now();
    const arrivals: number[] = [];
    const body = await new Promise<string>((resolve, reject) => {
      const outgoing = request(
        `${simulator.url}/v1/workflows/logs?limit=5`,
        { headers: { authorization: `Bearer ${workflowApp(simulator).apiKey}` } },
        (response) => {
          arrivals.push(performance.now() - started);
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            arrivals.push(performance.now() - started);
          });
          response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        },
      );
      outgoing.on('error', reject);
      outgoing.end();
    });
    expect(JSON.parse(body).data).toHaveLength(5);
    expect(arrivals[0]).toBeLessThan(200);
    expect(arrivals.at(-1)).toBeGreaterThanOrEqual(300);
    expect(arrivals.length).toBeGreaterThan(5);
  });

  it('adds latency and jitter', async () => {
    const simulator = await sim({ faults: { latencyMs: 120, jitterMs: 30 } });
    const started = performance.now();
    await service(simulator, '/workflows/logs');
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(115);
    expect(elapsed).toBeLessThan(1000);
    expect(simulator.stats().faultsInjected).toBe(0);
  });

  it('spares GET /v1/ and login by default, and follows `paths` when given', async () => {
    const simulator = await sim({ version: '1.13.3', faults: { rate5xx: 1 } });
    expect((await call(simulator, '/v1/')).status).toBe(200);
    const session = await login(simulator);
    expect((await call(simulator, '/console/api/apps', { headers: session.headers() })).status).toBe(500);
    simulator.setFaults({ rate5xx: 1, paths: 'node-executions' });
    expect((await call(simulator, '/console/api/apps', { headers: session.headers() })).status).toBe(200);
    const app = workflowApp(simulator);
    const nodes = await call(
      simulator,
      `/console/api/apps/${app.id}/workflow-runs/00000000-0000-4000-8000-000000000000/node-executions`,
      { headers: session.headers() },
    );
    expect(nodes.status).toBe(500);
    simulator.setFaults({ rate5xx: 1, paths: '^/v1/$' });
    expect((await call(simulator, '/v1/')).status).toBe(500);
    simulator.setFaults(undefined);
    expect((await service(simulator, '/workflows/logs')).status).toBe(200);
  });

  it('mixes fault kinds at their rates and counts each one', async () => {
    const simulator = await sim({ faults: { rate429: 0.2, rate5xx: 0.2, rateMalformed: 0.2 } });
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 60; attempt += 1) {
      const reply = await service(simulator, '/workflows/logs?limit=1');
      outcomes.push(reply.status === 200 ? (reply.body === undefined ? 'malformed' : 'ok') : String(reply.status));
    }
    const count = (outcome: string) => outcomes.filter((candidate) => candidate === outcome).length;
    for (const outcome of ['429', '500', 'malformed']) expect(count(outcome)).toBeGreaterThan(3);
    expect(count('ok')).toBeGreaterThan(10);
    expect(simulator.stats().faultsInjected).toBe(60 - count('ok'));
  });

  it('closes promptly while a slow body is still trickling', async () => {
    const simulator = await sim({ faults: { rateSlowBody: 1, slowBodyMs: 5000 } });
    const pending = fetch(`${simulator.url}/v1/workflows/logs`, {
      headers: { authorization: `Bearer ${workflowApp(simulator).apiKey}` },
    })
      .then((response) => response.text())
      .catch(() => 'aborted');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await simulator.close();
    expect(performance.now() - started).toBeLessThan(1000);
    await pending;
  });
});

describe("Dify's default API server (workerConnections)", () => {
  it('serves 10 requests at once and queues the rest, refusing none', async () => {
    // Replies of 600 ms, so that all 30 connections are open before the first reply whatever the machine's load
    // (at 50 ms a loaded machine opened the tenth after the first had been answered).
    const simulator = await sim({ capacity: workerConnectionsCapacity(DIFY_WORKER_CONNECTIONS, 600) });
    const started = performance.now();
    const replies = await Promise.all(Array.from({ length: 30 }, () => service(simulator, '/workflows/logs')));
    const elapsed = performance.now() - started;
    expect(replies.every((reply) => reply.status === 200)).toBe(true);
    const stats = simulator.stats();
    expect(stats.capacityRejected).toBe(0);
    expect(stats.peakInFlight).toBe(10);
    // Three turns of 600 ms: the last ten waited for the first twenty.
    expect(elapsed).toBeGreaterThanOrEqual(1790);
  });

  it('`workerConnections` is that capacity, queueing and never refusing', async () => {
    expect(workerConnectionsCapacity(DIFY_WORKER_CONNECTIONS)).toEqual({ maxInFlight: 10, mode: 'queue' });
    const simulator = await sim({ workerConnections: 2 });
    const replies = await Promise.all(Array.from({ length: 6 }, () => service(simulator, '/workflows/logs')));
    expect(replies.every((reply) => reply.status === 200)).toBe(true);
    expect(simulator.stats().capacityRejected).toBe(0);
    expect(simulator.stats().peakInFlight).toBeLessThanOrEqual(2);
  });
});
