import { describe, expect, it } from 'vitest';
import { createDifyClient, DifyStorageError, type Logger } from '../../src/index.js';
import { memoryStateStore, memoryStorage, runPipeline, type PipelineJob } from '../../src/entries/pipeline.js';
import type { SaveRequest, StorageAdapter } from '../../src/adapter-kit.js';
import { quickRetry, sim, workflowApp } from './helpers.js';

/**
 * A memory storage whose archive saves fail once the first chunk of the body (a small part of the window's records) has
 * arrived.
 */
function archiveFailsMidway(): StorageAdapter {
  const inner = memoryStorage();
  const failing = async (request: SaveRequest) => {
    if (request.type !== 'archive' || typeof request.body === 'string' || request.body instanceof Uint8Array)
      return inner.saveData(request);
    for await (const chunk of request.body) if (chunk.length > 0) break;
    throw new DifyStorageError('broken', 'storage_failed', 'the bucket went away');
  };
  return { ...inner, saveData: failing };
}

/** A logger keeping every message of a level and above `warn`. */
function recordingLogger(lines: string[]): Logger {
  const keep = (message?: string) => void (message && lines.push(message));
  const logger: Logger = {
    trace: () => {},
    debug: () => {},
    info: () => {},
    warn: (_object, message) => keep(message),
    error: (_object, message) => keep(message),
    child: () => logger,
  };
  return logger;
}

async function setUp() {
  const simulator = await sim({ version: '1.13.3', runsPerApp: 400, runningRuns: 0 });
  const app = workflowApp(simulator);
  const client = createDifyClient({
    baseUrl: simulator.url,
    apiKey: app.apiKey,
    appId: app.id,
    console: { ...simulator.account },
    retry: quickRetry,
  });
  const job: PipelineJob = {
    name: 'daily',
    apps: [{ id: app.id, client }],
    window: { mode: 'explicit', from: '2026-03-01T00:00:00Z', to: '2026-03-10T00:00:00Z' },
    fetch: { withNodeExecutions: true },
  };
  return { appId: app.id, job, state: memoryStateStore() };
}

describe('what a failed run says about itself', () => {
  it('a failing archive write (one object per run) is a problem of the archive stage', async () => {
    const { job, state } = await setUp();
    const result = await runPipeline(job, {
      storage: archiveFailsMidway(),
      state,
      now: () => new Date('2026-03-10T12:00:00Z'),
    });
    expect(result.status).toBe('failed');
    expect(result.problems).toEqual([
      expect.objectContaining({ stage: 'archive', code: 'storage_failed', message: 'broken: the bucket went away' }),
    ]);
  });

  it('a failing partitioned archive write is a problem of the archive stage', async () => {
    const { job, state } = await setUp();
    const result = await runPipeline(
      { ...job, archive: { mode: 'partitioned' } },
      { storage: archiveFailsMidway(), state, now: () => new Date('2026-03-10T12:00:00Z') },
    );
    expect(result.status).toBe('failed');
    expect(result.problems).toEqual([expect.objectContaining({ stage: 'archive', code: 'storage_failed' })]);
  });

  it('counts as cached only records the run produced: the cached count never exceeds the record count', async () => {
    const { appId, job, state } = await setUp();
    // A first run fills the run cache with every finished run of the window.
    const first = await runPipeline(job, {
      storage: memoryStorage(),
      state,
      now: () => new Date('2026-03-10T12:00:00Z'),
    });

    const failed = await runPipeline(job, {
      storage: archiveFailsMidway(),
      state,
      now: () => new Date('2026-03-10T12:30:00Z'),
    });
    expect(failed.status).toBe('failed');
    const counts = failed.counts[appId]!;
    expect(counts.records).toBeLessThan(first.counts[appId]!.records);
    // Every run of the window is in the cache, so every record the failed run read came from it, and no more.
    expect(counts.cached).toBe(counts.records);
  });

  it('an explicit window that fails is not promised a redo by the next run; an incremental one is', async () => {
    const { job } = await setUp();
    const explicitLines: string[] = [];
    await runPipeline(job, {
      storage: archiveFailsMidway(),
      state: memoryStateStore(),
      logger: recordingLogger(explicitLines),
      now: () => new Date('2026-03-10T12:00:00Z'),
    });
    const explicitFailure = explicitLines.filter((line) => line.startsWith('the run failed'));
    expect(explicitFailure).toEqual([
      'the run failed; an explicit window is not redone by itself: run the same command again',
    ]);

    const incrementalLines: string[] = [];
    const incremental: PipelineJob = { ...job, window: { mode: 'incremental', initialFrom: '2026-03-07T00:00:00Z' } };
    await runPipeline(incremental, {
      storage: archiveFailsMidway(),
      state: memoryStateStore(),
      logger: recordingLogger(incrementalLines),
      now: () => new Date('2026-03-10T12:00:00Z'),
    });
    expect(incrementalLines.filter((line) => line.startsWith('the run failed'))).toEqual([
      'the run failed; its window will be redone by the next run',
    ]);
  });
});
