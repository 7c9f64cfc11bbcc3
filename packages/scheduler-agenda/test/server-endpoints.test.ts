import { DifyConfigError, type Logger } from '@dify-logs/core';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPipelineMetrics,
  createWorkerServer,
  publicMessage,
  type WorkerServer,
  type WorkerServerOptions,
} from '../src/server/index.js';

const servers: WorkerServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: Partial<WorkerServerOptions> = {}): Promise<WorkerServer> {
  const server = await createWorkerServer({
    port: 0,
    metrics: createPipelineMetrics({ collectDefault: false }),
    readiness: [],
    ...options,
  });
  servers.push(server);
  return server;
}

function recordingLogger(lines: Array<{ level: string; object: object; message?: string }>): Logger {
  const logger: Logger = {
    trace: (object, message) => lines.push({ level: 'trace', object, message }),
    debug: (object, message) => lines.push({ level: 'debug', object, message }),
    info: (object, message) => lines.push({ level: 'info', object, message }),
    warn: (object, message) => lines.push({ level: 'warn', object, message }),
    error: (object, message) => lines.push({ level: 'error', object, message }),
    child: () => logger,
  };
  return logger;
}

describe('worker server: health and readiness', () => {
  it('answers /healthz with 200 {"status":"ok"} on a free port of 127.0.0.1', async () => {
    const server = await start();
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 and every check when all pass, running them in parallel', async () => {
    const slow = () => new Promise<void>((resolve) => setTimeout(resolve, 400));
    const server = await start({
      readiness: [
        { name: 'database', check: slow },
        { name: 'dify', check: slow },
      ],
    });
    const started = Date.now();
    const response = await fetch(`${server.url}/readyz`);
    expect(Date.now() - started).toBeLessThan(780); // 800 ms if run one after the other
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; checks: Array<{ name: string; status: string }> };
    expect(body.status).toBe('ok');
    expect(body.checks.map((check) => [check.name, check.status])).toEqual([
      ['database', 'ok'],
      ['dify', 'ok'],
    ]);
  });

  it('answers /readyz with 503 naming the failing check, its message redacted, no stack', async () => {
    const lines: Array<{ level: string; object: object; message?: string }> = [];
    const server = await start({
      logger: recordingLogger(lines),
      readiness: [
        { name: 'dify', check: async () => {} },
        {
          name: 'database',
          check: async () => {
            throw new Error(
              'connect ECONNREFUSED postgres://u:secret@h/db?sslpassword=hunter2&sslmode=require\n' +
                '    at Socket.connect (net.js:1:1)',
            );
          },
        },
      ],
    });
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(text).not.toContain('secret');
    expect(text).not.toContain('hunter2');
    expect(text).not.toMatch(/\bat Socket|net\.js|stack/);
    const body = JSON.parse(text) as {
      status: string;
      checks: Array<{ name: string; status: string; error?: string }>;
    };
    expect(body.status).toBe('unavailable');
    expect(body.checks.find((check) => check.name === 'dify')).toMatchObject({ status: 'ok' });
    expect(body.checks.find((check) => check.name === 'database')).toMatchObject({
      status: 'failed',
      error: 'connect ECONNREFUSED postgres://u:[redacted]@h/db?sslpassword=[redacted]&sslmode=require',
    });
    expect(JSON.stringify(lines)).not.toContain('secret');
  });

  it('fails a check that takes longer than the timeout, and aborts its signal', async () => {
    let aborted: unknown;
    const server = await start({
      readinessTimeoutMs: 150,
      readiness: [
        { name: 'ignores-signal', check: () => new Promise<void>((resolve) => setTimeout(resolve, 2000)) },
        {
          name: 'honours-signal',
          check: (signal) =>
            new Promise<void>((_, reject) =>
              signal.addEventListener('abort', () => {
                aborted = signal.reason;
                reject(signal.reason);
              }),
            ),
        },
      ],
    });
    const started = Date.now();
    const response = await fetch(`${server.url}/readyz`);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { checks: Array<{ name: string; status: string; error?: string }> };
    expect(body.checks).toEqual([
      expect.objectContaining({ name: 'ignores-signal', status: 'failed', error: 'no answer within 150 ms' }),
      expect.objectContaining({ name: 'honours-signal', status: 'failed', error: 'no answer within 150 ms' }),
    ]);
    expect(aborted).toBeInstanceOf(Error);
  });
});

describe('worker server: errors, 404 and metrics auth', () => {
  it('answers unknown paths and methods with 404 JSON', async () => {
    const server = await start();
    for (const [path, method] of [
      ['/nope', 'GET'],
      ['/dashboard/', 'GET'],
      ['/healthz', 'POST'],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { method });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: 'not found' });
    }
  });

  it('answers a failing handler with a generic 500, never the message or a stack', async () => {
    const lines: Array<{ level: string; object: object; message?: string }> = [];
    const registry = {
      contentType: 'text/plain',
      metrics: async () => {
        throw new Error('boom reading https://user:pw-secret@example.com/x');
      },
    } as unknown as Registry;
    const server = await start({ metrics: { registry }, logger: recordingLogger(lines) });
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('{"error":"internal error"}');
    const logged = lines.find((line) => line.level === 'error');
    expect(logged?.object).toMatchObject({
      error: 'boom reading https://user:[redacted]@example.com/x',
      path: '/metrics',
    });
  });

  it('protects /metrics when metricsAuth is given', async () => {
    const server = await start({ metricsAuth: { token: 'metrics-token' } });
    const refused = await fetch(`${server.url}/metrics`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Basic realm="dify-logs"');
    const admitted = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer metrics-token' } });
    expect(admitted.status).toBe(200);
    expect(await admitted.text()).toContain('dify_logs_pipeline_runs_total');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('refuses bad options with a DifyConfigError naming the key', async () => {
    const metrics = createPipelineMetrics({ collectDefault: false });
    await expect(createWorkerServer({ port: 70_000, metrics, readiness: [] })).rejects.toMatchObject({
      name: 'DifyConfigError',
      key: 'worker.port',
    });
    await expect(createWorkerServer({ port: 0, metrics, readiness: [], metricsAuth: true })).rejects.toMatchObject({
      key: 'worker.metricsAuth',
    });
    await expect(createWorkerServer({ port: 0, metrics, readiness: [], metricsAuth: { token: '' } })).rejects.toSatisfy(
      (error) => DifyConfigError.isInstance(error),
    );
  });

  it('fails to start on a port in use', async () => {
    const server = await start();
    await expect(start({ port: server.port })).rejects.toThrow(/EADDRINUSE/);
  });

  it('closes idempotently', async () => {
    const server = await start();
    await Promise.all([server.close(), server.close()]);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});

describe('publicMessage', () => {
  it('keeps the first line, redacts URL passwords and secret query parameters', () => {
    expect(publicMessage(new Error('redis://:pa55@cache:6379 refused\nstack'))).toBe(
      'redis://:[redacted]@cache:6379 refused',
    );
    expect(publicMessage('GET https://dify/v1/x?api_key=abc&page=2 failed')).toBe(
      'GET https://dify/v1/x?api_key=[redacted]&page=2 failed',
    );
    expect(publicMessage(new Error('x'.repeat(1000))).length).toBeLessThanOrEqual(300);
    expect(publicMessage({ not: 'an error' })).toBe('unknown error');
  });
});
