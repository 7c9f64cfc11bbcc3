import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDifyClient } from '../../src/index.js';
import {
  memoryStateStore,
  memoryStorage,
  recordingNotifier,
  runPipeline,
  type PipelineJob,
} from '../../src/entries/pipeline.js';
import { quickRetry, sim } from './helpers.js';

// Issue 16 item 5: with every app unreadable the run used to end `partial`, store a "0 runs" report as the
// period's report and send report-ready. A run that read nothing is `failed`.

const clock = () => new Date('2026-03-10T12:00:00Z');
const WATERMARK = '2026-03-09T00:00:00.000Z';
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(
  onConnection: (socket: import('node:net').Socket) => void = () => {},
): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { server, port: (server.address() as { port: number }).port };
}

/** A port on 127.0.0.1 where nothing listens: connections are refused. */
async function closedPort(): Promise<number> {
  const { server, port } = await listen();
  servers.splice(servers.indexOf(server), 1);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function stateWithWatermark(job: string, appIds: string[]) {
  const state = memoryStateStore();
  for (const appId of appIds) await state.commit(job, appId, { watermark: WATERMARK, recent: {}, pending: {} });
  return state;
}

function expectNothingStored(
  result: Awaited<ReturnType<typeof runPipeline>>,
  storage: ReturnType<typeof memoryStorage>,
) {
  expect(result.status).toBe('failed');
  expect(result.reports).toEqual([]);
  expect(result.archive).toBeNull();
  expect(storage.size()).toBe(0);
}

describe('a run that read nothing', () => {
  it('fails when Dify refuses every connection: failure notification, no report, the watermark stays', async () => {
    const port = await closedPort();
    const storage = memoryStorage();
    const notifier = recordingNotifier();
    const apps = ['app-one', 'app-two'].map((id) => ({
      id,
      client: createDifyClient({
        baseUrl: `http://127.0.0.1:${port}`,
        apiKey: `app-key-${id}`,
        appId: id,
        retry: quickRetry,
      }),
    }));
    const state = await stateWithWatermark('nightly', ['app-one', 'app-two']);
    const job: PipelineJob = {
      name: 'nightly',
      apps,
      window: { mode: 'incremental', initialFrom: '2026-01-01T00:00:00Z' },
    };
    const result = await runPipeline(job, { storage, state, notifiers: [notifier], now: clock });

    expectNothingStored(result, storage);
    expect(result.problems).toEqual([
      expect.objectContaining({ stage: 'fetch', appId: 'app-one', code: 'network_error' }),
      expect.objectContaining({ stage: 'fetch', appId: 'app-two', code: 'network_error' }),
      expect.objectContaining({
        stage: 'fetch',
        code: 'nothing_read',
        message: expect.stringMatching(
          /^nothing was read: none of its 2 apps could be read \(app-one: .+; app-two: .+\)$/,
        ),
      }),
    ]);
    expect(notifier.messages.map((message) => message.kind)).toEqual(['failure']);
    expect(notifier.messages[0]!.summary).toMatch(/nothing was read/);
    expect(state.snapshot()).toEqual({
      'nightly/app-one': { watermark: WATERMARK, recent: {}, pending: {} },
      'nightly/app-two': { watermark: WATERMARK, recent: {}, pending: {} },
    });
  });

  it(
    'gives up on an app that does not answer after one round of retries, ' +
      'not two (mode detection does not fall back to the workflow path)',
    async () => {
      let connections = 0;
      const { port } = await listen((socket) => {
        connections += 1;
        socket.destroy();
      });
      const storage = memoryStorage();
      const retry = { retries: 2, minDelayMs: 5, maxDelayMs: 20 };
      const job: PipelineJob = {
        name: 'nightly',
        apps: [
          {
            id: 'only',
            client: createDifyClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'app-key', appId: 'only', retry }),
          },
        ],
        window: { mode: 'explicit', from: '{{yesterday}}', to: '{{today}}' },
      };
      const result = await runPipeline(job, { storage, state: memoryStateStore(), now: clock });
      expectNothingStored(result, storage);
      expect(result.problems.at(-1)).toMatchObject({
        code: 'nothing_read',
        message: expect.stringMatching(/^nothing was read: its app could not be read \(only: /),
      });
      // /v1/info is asked (1 + 2 retries); the logs are not then asked with retries of their own.
      expect(connections).toBe(3);
    },
  );

  it('fails when every app of the simulator refuses its key; one readable app keeps the run partial', async () => {
    const simulator = await sim({ version: '1.11.2', runsPerApp: 20, runningRuns: 0 });
    const workflowApps = simulator.apps.filter((app) => app.mode === 'workflow').slice(0, 3);
    const apps = workflowApps.map((app) => ({
      id: app.id,
      client: createDifyClient({ baseUrl: simulator.url, apiKey: app.apiKey, appId: app.id, retry: quickRetry }),
    }));
    for (const app of workflowApps.slice(1)) simulator.revokeApiKey(app.id);
    const job: PipelineJob = {
      name: 'nightly',
      apps,
      window: { mode: 'incremental', initialFrom: '2026-01-01T00:00:00Z' },
    };

    const partialStorage = memoryStorage();
    const partial = await runPipeline(job, {
      storage: partialStorage,
      state: memoryStateStore(),
      notifiers: [recordingNotifier()],
      now: clock,
    });
    expect(partial.status).toBe('partial');
    expect(partial.reports).toHaveLength(2);

    simulator.revokeApiKey(workflowApps[0]!.id);
    const storage = memoryStorage();
    const notifier = recordingNotifier();
    const state = await stateWithWatermark(
      'nightly',
      apps.map((app) => app.id),
    );
    const before = state.snapshot();
    const result = await runPipeline(job, { storage, state, notifiers: [notifier], now: clock });
    expectNothingStored(result, storage);
    expect(result.problems.filter((problem) => problem.appId).map((problem) => problem.code)).toEqual([
      'invalid_credentials',
      'invalid_credentials',
      'invalid_credentials',
    ]);
    expect(result.problems.at(-1)).toMatchObject({
      stage: 'fetch',
      code: 'nothing_read',
      message: expect.stringContaining('none of its 3 apps could be read'),
    });
    expect(notifier.messages.map((message) => message.kind)).toEqual(['failure']);
    expect(state.snapshot()).toEqual(before);
  });
});
