import { DifyConfigError, DifyStorageError } from '@dify-logs/core';
import { sampleNode, sampleRun } from '@dify-logs/core/testing';
import { describe, expect, it } from 'vitest';
import { cleanKeys, nodeDocument, runDocument } from '../src/documents.js';
import { createMongoSink } from '../src/index.js';

describe('documents (no server needed)', () => {
  it('maps a run: record fields, dates, node-derived totals, the window; no nodes array', () => {
    const record = sampleRun('log-1', 0, {
      totalTokens: 100,
      nodes: [
        sampleNode('n-1', { nodeType: 'iteration', totalTokens: 500, totalPrice: null }),
        sampleNode('n-2', { totalTokens: 150, totalPrice: 0.25, currency: 'USD' }),
        sampleNode('n-3', { totalTokens: 50, totalPrice: 0.5, currency: 'USD' }),
      ],
    });
    const now = new Date('2026-03-03T00:00:00Z');
    const document = runDocument(record, { job: 'nightly', runId: 'pipeline-1' }, now);
    expect(document).toMatchObject({
      _id: 'log-1',
      logId: 'log-1',
      runId: 'run-log-1',
      appId: 'app-suite',
      status: 'succeeded',
      createdAt: new Date('2026-03-02T08:35:10.000Z'),
      loggedAt: new Date('2026-03-02T08:35:12.000Z'),
      finishedAt: new Date('2026-03-02T08:35:12.000Z'),
      totalTokens: 100,
      nodeCount: 3,
      nodeTokens: 200,
      effectiveTokens: 200,
      totalPrice: 0.75,
      currency: 'USD',
      window: { job: 'nightly', runId: 'pipeline-1' },
      updatedAt: now,
    });
    expect(document).not.toHaveProperty('nodes');
    expect(runDocument(sampleRun('log-2', null), { job: 'j', runId: 'r' }, now)).toMatchObject({
      nodeCount: null,
      nodeTokens: null,
      effectiveTokens: 120,
      totalPrice: null,
    });
    const mixed = runDocument(
      sampleRun('log-3', 0, {
        nodes: [
          sampleNode('a', { totalPrice: 1, currency: 'USD' }),
          sampleNode('b', { totalPrice: 2, currency: 'RMB' }),
        ],
      }),
      { job: 'j', runId: 'r' },
      now,
    );
    expect(mixed).toMatchObject({ totalPrice: null, currency: null });
  });

  it('maps a node execution with its run ids and the write id', () => {
    const record = sampleRun('log-1', 0);
    const { promptTokens: _omitted, ...legacy } = sampleNode('n-9', {
      iterationId: 'it',
      iterationIndex: 2,
      processData: { usage: {} },
    });
    expect(nodeDocument(legacy as never, record, 'write-1')).toMatchObject({
      _id: 'n-9',
      logId: 'log-1',
      runId: 'run-log-1',
      appId: 'app-suite',
      nodeType: 'llm',
      index: 1,
      promptTokens: null,
      completionTokens: 20,
      iterationId: 'it',
      iterationIndex: 2,
      createdAt: new Date('2026-03-02T08:35:10.000Z'),
      processData: { usage: {} },
      inputs: null,
      writeId: 'write-1',
    });
  });

  it('removes NUL from keys only, and leaves clean objects untouched', () => {
    const clean = { a: [{ b: 1 }], c: 'x\u0000y' };
    expect(cleanKeys(clean)).toBe(clean);
    expect(cleanKeys({ 'k\u0000': { 'in\u0000ner': ['v\u0000'] }, ok: 1 })).toEqual({
      k: { inner: ['v\u0000'] },
      ok: 1,
    });
  });
});

describe('createMongoSink options and errors (no server needed)', () => {
  it('needs exactly one of connectionString or db, and a valid prefix', () => {
    expect(() => createMongoSink({})).toThrow(DifyConfigError);
    expect(() =>
      createMongoSink({ connectionString: 'mongodb://127.0.0.1/x', collectionPrefix: 'bad.prefix' }),
    ).toThrow(/collectionPrefix/);
    expect(createMongoSink({ connectionString: 'mongodb://127.0.0.1/x' }).collections.runs).toBe('dify_logs_runs');
  });

  it('fails with a retryable DifyStorageError naming the collection, never the password', async () => {
    const sink = createMongoSink({
      connectionString:
        'mongodb://dify:s3cret-Pa55word@127.0.0.1:1/dify?serverSelectionTimeoutMS=300&connectTimeoutMS=300',
      collectionPrefix: 'nowhere_',
    });
    const error = await sink
      .open({
        job: 'j',
        runId: 'r',
        window: { from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z', timezone: 'UTC' },
      })
      .catch((caught: unknown) => caught);
    await sink.close();
    expect(DifyStorageError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/nowhere_runs/);
    expect((error as Error).message).not.toContain('s3cret-Pa55word');
    expect((error as DifyStorageError).isRetryable).toBe(true);
  });
});
