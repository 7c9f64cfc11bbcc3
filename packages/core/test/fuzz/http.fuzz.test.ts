import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDifyClient, type DifyClient } from '../../src/client/create-client.js';
import { DifyLogsError } from '../../src/errors/dify-logs-error.js';
import { hostileValue, nestedText, RUNS } from './arbitraries.js';

/** What the tiny server answers, to every request, until the next property run changes it. */
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** `reset`: destroy the socket after the headers; `short`: announce more bytes than are sent, then close. */
  cut?: 'reset' | 'short';
}

let answer: Answer = { status: 200, headers: {}, body: Buffer.from('{}') };
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    const { status, headers, body, cut } = answer;
    try {
      response.writeHead(status, {
        'content-type': 'application/json',
        ...headers,
        ...(cut === 'short' ? { 'content-length': String(body.length + 100) } : {}),
      });
    } catch {
      response.writeHead(status);
    }
    if (cut === 'reset') {
      response.flushHeaders();
      response.socket?.destroy();
      return;
    }
    if (cut === 'short') {
      response.write(body, () => response.socket?.destroy());
      return;
    }
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const SECRETS = {
  apiKey: 'app-http-fuzz-service-key',
  adminKey: 'admin-http-fuzz-key',
  password: 'http-fuzz-password!',
};
const retry = { retries: 1, minDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 5 };

function clients(): Array<[string, DifyClient]> {
  return [
    [
      'service',
      createDifyClient({
        baseUrl,
        apiKey: SECRETS.apiKey,
        appId: 'app-1',
        serverVersion: '1.13.3',
        retry,
        timeoutMs: 2_000,
      }),
    ],
    [
      'admin',
      createDifyClient({
        baseUrl,
        admin: { apiKey: SECRETS.adminKey, workspaceId: 'ws-1' },
        serverVersion: '1.13.3',
        retry,
        timeoutMs: 2_000,
      }),
    ],
    [
      'console',
      createDifyClient({
        baseUrl,
        console: { email: 'fuzz@example.com', password: SECRETS.password },
        retry,
        timeoutMs: 2_000,
      }),
    ],
  ];
}

/** Every read the client offers. */
const calls: Array<[string, (client: DifyClient) => Promise<unknown>]> = [
  ['serverVersion', (client) => client.serverVersion()],
  ['appInfo', (client) => client.appInfo()],
  ['logPage', (client) => client.logPage({ appId: 'app-1' } as never)],
  ['runDetail', (client) => client.runDetail('run-1', 'app-1')],
  ['nodeExecutions', (client) => client.nodeExecutions('run-1', 'app-1')],
  [
    'apps',
    async (client) => {
      for await (const app of client.apps()) void app;
    },
  ],
];

const body = fc.oneof(
  hostileValue.map((value) => {
    try {
      return Buffer.from(JSON.stringify(value) ?? '', 'utf8');
    } catch {
      return Buffer.from('{}');
    }
  }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc
    .constantFrom(
      '',
      '<html><title>502 Bad Gateway</title></html>',
      '\uFEFF{"data":[]}',
      '{"data":[],"has_more":true,"page":1,"limit":20,"total":1e309}',
      '{"code":"x","message":1}',
      '{"errors":{"__proto__":"x","constructor":{}}}',
      '{"message":"' + 'm'.repeat(10_000) + '"}',
      nestedText(200_000),
      '{"result":"success","data":{"access_token":"t"}}',
    )
    .map((text) => Buffer.from(text, 'utf8')),
);
const header = fc.record(
  {
    'retry-after': fc.oneof(
      fc.constantFrom('1', '-1', 'NaN', '1e309', '99999999999', 'Wed, 21 Oct 2015 07:28:00 GMT', '\t', 'soon'),
      fc.string({ maxLength: 10 }).map((text) => text.replace(/[^\x20-\x7e]/g, '')),
    ),
    'content-type': fc.constantFrom(
      'application/json',
      'text/html',
      'application/json; charset=latin1',
      'application/octet-stream',
    ),
    'set-cookie': fc.constantFrom('session=x; HttpOnly', 'csrf_token=abc; Path=/', '=;;;', 'a'.repeat(200)),
  },
  { requiredKeys: [] },
);
const answers = fc.record({
  status: fc.oneof(
    fc.constantFrom(200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 409, 429, 500, 502, 503),
    fc.integer({ min: 200, max: 599 }),
  ),
  headers: header,
  body,
  cut: fc.constantFrom(undefined, undefined, undefined, 'reset' as const, 'short' as const),
});

describe('the client against a server answering random bodies (fast-check over HTTP)', () => {
  it('only DifyLogsError subclasses come out, with short messages that never carry a credential', async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(answers, fc.constantFrom(...calls), async (next, [, call]) => {
        answer = next as Answer;
        for (const [, client] of clients()) {
          try {
            let timer: NodeJS.Timeout | undefined;
            const hang = new Promise((_, reject) => {
              timer = setTimeout(
                () =>
                  reject(
                    new Error(`hung on ${JSON.stringify({ ...next, body: next.body.toString('utf8').slice(0, 200) })}`),
                  ),
                20_000,
              );
            });
            await Promise.race([call(client), hang]).finally(() => clearTimeout(timer));
          } catch (error) {
            if (!DifyLogsError.isInstance(error))
              throw new Error(`expected only DifyLogsError, got ${String(error)}`, { cause: error });
            seen.set(error.name, (seen.get(error.name) ?? 0) + 1);
            expect(error.message.length).toBeLessThan(2_000);
            for (const secret of Object.values(SECRETS)) expect(error.message).not.toContain(secret);
          }
        }
      }),
      { numRuns: Math.min(RUNS, 100) },
    );
    // The runs reached the HTTP, response and auth error paths, not only one of them.
    expect([...seen.keys()].sort()).toEqual(
      expect.arrayContaining(['DifyHttpError', 'DifyNetworkError', 'DifyResponseError']),
    );
  }, 300_000);

  it('a long error message from Dify or a proxy is cut in the error, not carried whole', async () => {
    for (const text of [
      JSON.stringify({ code: 'boom', message: 'm'.repeat(10_000) }),
      JSON.stringify({
        errors: Object.fromEntries(Array.from({ length: 2_000 }, (_, index) => [`field${index}`, 'bad'])),
      }),
      'p'.repeat(100_000),
    ]) {
      answer = { status: 400, headers: {}, body: Buffer.from(text) };
      const [, client] = clients()[0]!;
      const error = await client.runDetail('run-1').catch((caught: unknown) => caught);
      expect(DifyLogsError.isInstance(error)).toBe(true);
      expect((error as Error).message.length).toBeLessThan(2_000);
    }
  });

  it('a body that stalls half-way fails with a timeout, not a hang', async () => {
    const stalling = createServer((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      response.write('{"id":');
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    try {
      const client = createDifyClient({
        baseUrl: `http://127.0.0.1:${(stalling.address() as AddressInfo).port}`,
        apiKey: SECRETS.apiKey,
        appId: 'app-1',
        serverVersion: '1.13.3',
        retry: { retries: 0 },
        timeoutMs: 300,
      });
      const error = await client.runDetail('run-1').catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'DifyNetworkError', code: 'timeout' });
    } finally {
      stalling.closeAllConnections();
      await new Promise((resolve) => stalling.close(resolve));
    }
  });
});
