import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DifyNetworkError, createDifyClient } from '../../src/index.js';

const noRetry = { retries: 0 };

async function failure(baseUrl: string, extra: Record<string, unknown> = {}): Promise<DifyNetworkError> {
  const client = createDifyClient({ baseUrl, apiKey: 'app-secret-key-123', appId: 'app', retry: noRetry, ...extra });
  const error = await client.logPage({ keyword: 'private words' }).catch((caught: unknown) => caught);
  expect(DifyNetworkError.isInstance(error), String(error)).toBe(true);
  const message = (error as Error).message;
  expect(message).not.toContain('app-secret-key-123');
  expect(message).not.toContain('private');
  return error as DifyNetworkError;
}

async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const openssl = ['/usr/bin/openssl', '/usr/local/bin/openssl'].find((path) => existsSync(path));

describe('network errors name their cause and the URL, without credentials', () => {
  it('connection refused', async () => {
    const port = await closedPort();
    const error = await failure(`http://127.0.0.1:${port}`);
    expect(error.message).toBe(
      `GET /v1/workflows/logs (http://127.0.0.1:${port}/v1/workflows/logs) ` +
        `failed: connection refused (is Dify running at this address?) (ECONNREFUSED)`,
    );
    expect(error.url).toBe(`http://127.0.0.1:${port}/v1/workflows/logs`);
  });

  it('a DNS name that does not resolve', async () => {
    const error = await failure('http://dify.does-not-exist.invalid');
    expect(error.message).toMatch(
      /failed: DNS name not found: dify\.does-not-exist\.invalid \((ENOTFOUND|EAI_AGAIN)\)/,
    );
  });

  it.skipIf(!openssl)(
    `a TLS certificate that is not trusted${openssl ? '' : ' (skipped: no openssl to make one)'}`,
    async () => {
      const folder = mkdtempSync(join(tmpdir(), 'tls-'));
      try {
        execFileSync(
          openssl!,
          [
            'req',
            '-x509',
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-keyout',
            join(folder, 'key.pem'),
            '-out',
            join(folder, 'cert.pem'),
            '-days',
            '1',
            '-subj',
            '/CN=localhost',
          ],
          { stdio: 'ignore' },
        );
        const server = createHttpsServer(
          { key: readFileSync(join(folder, 'key.pem')), cert: readFileSync(join(folder, 'cert.pem')) },
          (_request, response) => response.end('{}'),
        );
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        try {
          const error = await failure(`https://localhost:${(server.address() as AddressInfo).port}`);
          expect(error.message).toMatch(/failed: TLS certificate not accepted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
        } finally {
          server.close();
        }
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  );

  it('a fetch that never settles, even when aborted, ends at the timeout instead of hanging the run', async () => {
    const hanging = () => new Promise<Response>(() => undefined);
    const started = Date.now();
    const error = await failure('http://127.0.0.1:9', { fetch: hanging, timeoutMs: 300 });
    expect(error.code).toBe('timeout');
    expect(error.message).toMatch(/timed out after 0\.3 s$/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a body that stops mid-way and ignores the abort ends at the timeout too', async () => {
    const stalled = async () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"page": 1, "data": ['));
          },
        }),
        { status: 200, headers: { 'content-type': 'application/json' } },
      );
    const error = await failure('http://127.0.0.1:9', { fetch: stalled, timeoutMs: 300 });
    expect(error.code).toBe('timeout');
  });
});
