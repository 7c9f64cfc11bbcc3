import { readFileSync } from 'node:fs';
import { DifyConfigError, DifyStorageError } from '@dify-logs/core';
import type { SinkContext } from '@dify-logs/core/adapter-kit';
import { sampleChatMessage, sampleConversation, sampleNode, sampleRun } from '@dify-logs/core/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresSink, type PostgresSink } from '../src/index.js';
import { json, text } from '../src/rows.js';
import { PG_URL, admin, countRows, dropPrefix, randomPrefix, reachable } from './postgres.js';
import { syntheticRuns } from './records.js';

const server = await reachable();
const describePg = server.ok ? describe : describe.skip;
const against = server.ok ? 'PostgreSQL' : `PostgreSQL (skipped: ${server.reason})`;
const pool = admin();
const prefixes: string[] = [];
const sinks: PostgresSink[] = [];

function newSink(label: string, extra: Partial<Parameters<typeof createPostgresSink>[0]> = {}): PostgresSink {
  const tablePrefix = randomPrefix(label);
  prefixes.push(tablePrefix);
  const sink = createPostgresSink({ connectionString: PG_URL, tablePrefix, ...extra });
  sinks.push(sink);
  return sink;
}

const context = (runId = 'pipeline-1'): SinkContext => ({
  job: 'nightly',
  runId,
  window: { from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z', timezone: 'Asia/Shanghai' },
});

afterAll(async () => {
  for (const sink of sinks) await sink.close();
  if (server.ok) for (const prefix of prefixes) await dropPrefix(pool, prefix);
  await pool.end();
});

describe('options (no database needed)', () => {
  it('needs exactly one of connectionString or pool, and a valid prefix and batch size', () => {
    expect(() => createPostgresSink({})).toThrow(DifyConfigError);
    expect(() => createPostgresSink({ connectionString: PG_URL, pool: new pg.Pool() })).toThrow(/exactly one/);
    expect(() => createPostgresSink({ connectionString: PG_URL, tablePrefix: 'bad-prefix;' })).toThrow(/tablePrefix/);
    expect(() => createPostgresSink({ connectionString: PG_URL, tablePrefix: 'x'.repeat(41) })).toThrow(/at most 40/);
    expect(() => createPostgresSink({ connectionString: PG_URL, batchSize: 0 })).toThrow(/batchSize/);
    expect(createPostgresSink({ connectionString: PG_URL, tablePrefix: 'Mixed_Case_1' }).tables.runs).toBe(
      '"Mixed_Case_1runs"',
    );
  });

  it('removes NUL from text and jsonb, keeps an escaped backslash before u0000, and replaces lone surrogates', () => {
    expect(text('a\u0000b\u0000')).toBe('ab');
    expect(JSON.parse(json({ 'k\u0000': 'v\u0000w', literal: '\\u0000', both: '\\\u0000' })!)).toEqual({
      k: 'vw',
      literal: '\\u0000',
      both: '\\',
    });
    expect(JSON.parse(json({ lone: 'x\ud800y', pair: '🚚' })!)).toEqual({ lone: 'x\ufffdy', pair: '🚚' });
    expect(json(null)).toBeNull();
  });

  it('fails with a retryable DifyStorageError that names the table and never the password', async () => {
    const sink = createPostgresSink({
      connectionString: 'postgres://dify:s3cret-Pa55word@127.0.0.1:1/test',
      tablePrefix: 'nowhere_',
    });
    const error = await sink.open(context()).catch((caught: unknown) => caught);
    expect(DifyStorageError.isInstance(error)).toBe(true);
    expect((error as DifyStorageError).message).toMatch(/nowhere_schema_migrations/);
    expect((error as DifyStorageError).message).not.toContain('s3cret-Pa55word');
    expect((error as DifyStorageError).isRetryable).toBe(true);
    await sink.close();
  });
});

describePg(`createPostgresSink against ${against}`, () => {
  it('migrates once: tables, indexes and one version row; migrating again (even at once) changes nothing', async () => {
    const sink = newSink('migrate');
    const other = createPostgresSink({ connectionString: PG_URL, tablePrefix: sink.tables.prefix });
    await Promise.all([sink.migrate(), other.migrate()]);
    await other.close();
    const versions = await pool.query(`SELECT version, name, applied_at FROM ${sink.tables.migrations}`);
    // The sink's steps: runs, node executions and windows (1), chat messages (4), conversations (5).
    expect(versions.rows.map((row: { version: number }) => row.version).sort()).toEqual([1, 4, 5]);
    const indexes = await pool.query<{ indexname: string }>(
      'SELECT indexname FROM pg_indexes WHERE tablename LIKE $1 ORDER BY indexname',
      [`${sink.tables.prefix.replace(/_/g, '\\_')}%`],
    );
    const names = indexes.rows.map((row) => row.indexname.slice(sink.tables.prefix.length));
    expect(names).toEqual(
      expect.arrayContaining([
        'runs_created',
        'runs_app',
        'runs_status',
        'runs_run_id',
        'ne_log',
        'ne_created',
        'ne_type',
        'ne_model',
        'ne_failed',
        'windows_job_to',
        'messages_app',
        'messages_conversation',
        'messages_run',
        'messages_end_user',
        'messages_feedback',
        'conversations_app',
        'conversations_end_user',
        'conversations_session',
        'conversations_pkey',
        'runs_pkey',
        'node_executions_pkey',
      ]),
    );
    await sink.migrate();
    const again = await pool.query(`SELECT version, name, applied_at FROM ${sink.tables.migrations}`);
    expect(again.rows).toEqual(versions.rows);
  });

  it("keeps a message's model and a conversation's fields, Dify's updated_at apart from the row's", async () => {
    const sink = newSink('chat');
    const writer = await sink.open(context());
    await writer.addMessage!(
      sampleChatMessage('m-model', { modelProvider: 'langgenius/openai/openai', modelName: 'gpt-4o-mini' }),
    );
    await writer.addMessage!(sampleChatMessage('m-unknown'));
    await writer.addConversation!(sampleConversation('c-1', { name: 'Refund', dislikes: 2 }));
    expect((await writer.commit()).rows).toMatchObject({ messages: 2, conversations: 1 });
    const messages = await pool.query(
      `SELECT message_id, model_provider, model_name FROM ${sink.tables.messages} ORDER BY message_id`,
    );
    expect(messages.rows).toEqual([
      { message_id: 'm-model', model_provider: 'langgenius/openai/openai', model_name: 'gpt-4o-mini' },
      { message_id: 'm-unknown', model_provider: null, model_name: null },
    ]);
    const { rows } = await pool.query(`SELECT * FROM ${sink.tables.conversations}`);
    expect(rows[0]).toMatchObject({
      conversation_id: 'c-1',
      name: 'Refund',
      dislikes: '2',
      end_user_session_id: 'session-1',
      created_at: new Date('2026-03-02T08:35:10.000Z'),
      conversation_updated_at: new Date('2026-03-02T08:40:00.000Z'),
      window_job: 'nightly',
    });
    expect(rows[0].updated_at.getTime()).toBeGreaterThan(Date.parse('2026-03-03T00:00:00Z'));
  });

  it('maps every field of runs and node executions, derives tokens and price, and records the window', async () => {
    const sink = newSink('fields');
    const record = sampleRun('log-fields', 0, {
      totalTokens: 100,
      nodes: [
        sampleNode('ne-1', {
          nodeType: 'iteration',
          title: 'Each',
          totalTokens: 500,
          totalPrice: null,
          currency: null,
          modelProvider: null,
          modelName: null,
        }),
        sampleNode('ne-2', {
          index: 2,
          iterationId: 'ne-1',
          iterationIndex: 3,
          totalTokens: 150,
          promptTokens: 120,
          completionTokens: 30,
          totalPrice: 0.25,
          currency: 'USD',
          processData: { usage: { total: 150 } },
        }),
        sampleNode('ne-3', {
          index: 3,
          loopId: 'loop-1',
          loopIndex: 1,
          totalTokens: 50,
          totalPrice: 0.5,
          currency: 'USD',
          status: 'exception',
          error: 'timeout',
        }),
      ],
      endUserSessionId: 'user-9',
      enrichmentError: null,
    });
    const writer = await sink.open(context('pipeline-fields'));
    await writer.add(record);
    await writer.add(
      sampleRun('log-mixed', 0, {
        nodes: [
          sampleNode('m-1', { totalPrice: 1, currency: 'USD' }),
          sampleNode('m-2', { totalPrice: 2, currency: 'RMB' }),
        ],
      }),
    );
    expect((await writer.commit()).rows).toEqual({ runs: 2, node_executions: 5, windows: 1 });

    const run = (await pool.query(`SELECT * FROM ${sink.tables.runs} WHERE log_id = 'log-fields'`)).rows[0];
    expect(run).toMatchObject({
      log_id: 'log-fields',
      run_id: 'run-log-fields',
      app_id: 'app-suite',
      status: 'succeeded',
      workflow_version: '2026-03-01 08:00:00.000000',
      triggered_from: 'app-run',
      created_from: 'service-api',
      created_by_role: 'end_user',
      end_user_session_id: 'user-9',
      account_email: null,
      elapsed_time: 2,
      total_tokens: '100',
      total_steps: 0,
      exceptions_count: 0,
      error: null,
      node_count: 3,
      node_tokens: '200',
      effective_tokens: '200',
      total_price: '0.75',
      currency: 'USD',
      inputs: { question: 'Where is my order?' },
      outputs: { answer: 'On its way.' },
      enrichment_error: null,
      window_job: 'nightly',
      window_run_id: 'pipeline-fields',
    });
    expect((run.created_at as Date).toISOString()).toBe('2026-03-02T08:35:10.000Z');
    expect((run.logged_at as Date).toISOString()).toBe('2026-03-02T08:35:12.000Z');
    const mixed = (
      await pool.query(`SELECT total_price, currency, node_count FROM ${sink.tables.runs} WHERE log_id = 'log-mixed'`)
    ).rows[0];
    expect(mixed).toEqual({ total_price: null, currency: null, node_count: 2 });

    const node = (await pool.query(`SELECT * FROM ${sink.tables.nodes} WHERE id = 'ne-2'`)).rows[0];
    expect(node).toMatchObject({
      id: 'ne-2',
      log_id: 'log-fields',
      run_id: 'run-log-fields',
      app_id: 'app-suite',
      node_id: 'llm',
      node_type: 'llm',
      title: 'Answer',
      execution_index: 2,
      predecessor_node_id: 'start',
      status: 'succeeded',
      error: null,
      elapsed_time: 0.8,
      total_tokens: '150',
      prompt_tokens: '120',
      completion_tokens: '30',
      total_price: '0.25',
      currency: 'USD',
      model_provider: 'langgenius/openai/openai',
      model_name: 'gpt-4o-mini',
      iteration_id: 'ne-1',
      iteration_index: 3,
      loop_id: null,
      loop_index: null,
      inputs: null,
      outputs: null,
      process_data: { usage: { total: 150 } },
    });
    expect((node.finished_at as Date).toISOString()).toBe('2026-03-02T08:35:11.000Z');

    const window = (await pool.query(`SELECT * FROM ${sink.tables.windows}`)).rows;
    expect(window).toEqual([
      expect.objectContaining({
        job: 'nightly',
        run_id: 'pipeline-fields',
        timezone: 'Asia/Shanghai',
        runs: 2,
        node_executions: 5,
      }),
    ]);
    expect((window[0].window_from as Date).toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it(
    'reports a bad record as a non-retryable error naming the ' +
      'table; the window stays invisible and the writer refuses more',
    async () => {
      const sink = newSink('bad', { batchSize: 2 });
      const writer = await sink.open(context('pipeline-bad'));
      await writer.add(sampleRun('ok-1', 1));
      await writer.add(sampleRun('ok-2', 1));
      await writer.add(sampleRun('bad-1', 1, { createdAt: 'not a time' }));
      const failure = await Promise.resolve()
        .then(() => writer.add(sampleRun('bad-2', 1)))
        .then(() => writer.commit())
        .catch((caught: unknown) => caught);
      expect(DifyStorageError.isInstance(failure)).toBe(true);
      expect((failure as DifyStorageError).message).toMatch(
        new RegExp(`could not write ${sink.tables.prefix}runs: .*time.*\\(22007\\)`),
      );
      expect((failure as DifyStorageError).key).toBe(`${sink.tables.prefix}runs`);
      expect((failure as DifyStorageError).isRetryable).toBe(false);
      expect(() => writer.add(sampleRun('more', 1))).toThrow(DifyStorageError);
      await writer.abort(failure as Error);
      expect(await countRows(pool, sink.tables)).toEqual({ runs: 0, nodes: 0, windows: 0 });
    },
  );

  it('stores lone surrogates as U+FFFD and drops NUL, in text and jsonb columns alike', async () => {
    const sink = newSink('surrogates');
    const writer = await sink.open(context());
    await writer.add(
      sampleRun('odd', 0, {
        error: 'bad \ud800 surrogate\u0000',
        inputs: { 'k\udc00': 'v\ud83d' },
        nodes: [sampleNode('odd-1', { title: 'T\udfff' })],
      }),
    );
    await writer.commit();
    const run = (await pool.query(`SELECT error, inputs FROM ${sink.tables.runs}`)).rows[0];
    expect(run).toEqual({ error: 'bad \ufffd surrogate', inputs: { 'k\ufffd': 'v\ufffd' } });
    expect((await pool.query(`SELECT title FROM ${sink.tables.nodes}`)).rows[0].title).toBe('T\ufffd');
  });

  it('leaves a pool it was given open, and works on it', async () => {
    const own = new pg.Pool({ connectionString: PG_URL, max: 2 });
    const tablePrefix = randomPrefix('pool');
    prefixes.push(tablePrefix);
    const sink = createPostgresSink({ pool: own, tablePrefix });
    const writer = await sink.open(context());
    await writer.add(sampleRun('pooled', 2));
    await writer.commit();
    await sink.close();
    expect((await own.query(`SELECT count(*)::int AS n FROM ${sink.tables.nodes}`)).rows[0].n).toBe(2);
    await own.end();
  });

  it('writes a run with thousands of nodes and a window of huge outputs in bounded statements', async () => {
    const sink = newSink('big', { batchSize: 50, maxBatchBytes: 1024 * 1024 });
    const writer = await sink.open(context());
    const many = sampleRun('many-nodes', 0, {
      nodes: Array.from({ length: 12_000 }, (_, index) => sampleNode(`many-${index}`, { index })),
    });
    await writer.add(many);
    for (let index = 0; index < 20; index += 1)
      await writer.add(sampleRun(`huge-${index}`, 1, { outputs: { text: 'y'.repeat(300_000) } }));
    expect((await writer.commit()).rows).toMatchObject({ runs: 21, node_executions: 12_020 });
    expect(await countRows(pool, sink.tables)).toEqual({ runs: 21, nodes: 12_020, windows: 1 });
  });

  describe('example SQL of the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const examples = [...readme.matchAll(/```sql\n-- (.+)\n([\s\S]*?)```/g)].map((match) => ({
      title: match[1]!,
      sql: match[2]!,
    }));
    const expected: Record<string, string[]> = {
      'failure rate by day': ['day', 'runs', 'failed', 'failure_rate'],
      'p95 latency by node': ['app_id', 'node_id', 'node_type', 'title', 'executions', 'p50_seconds', 'p95_seconds'],
      'cost by model': [
        'model_provider',
        'model_name',
        'currency',
        'calls',
        'prompt_tokens',
        'completion_tokens',
        'total_tokens',
        'cost',
      ],
      'tokens by app': ['app_id', 'day', 'runs', 'dify_tokens', 'tokens', 'cost'],
      'complete windows': ['job', 'run_id', 'window_from', 'window_to', 'runs', 'node_executions', 'completed_at'],
    };
    let sink: PostgresSink;
    /** The examples as written, on this test's tables, with `now()` at the end of the synthetic data. */
    const runnable = (sql: string) =>
      sql.replaceAll('dify_logs_', sink.tables.prefix).replaceAll('now()', "timestamptz '2026-03-02T00:00:00Z'");

    beforeAll(async () => {
      sink = newSink('examples');
      const writer = await sink.open(context('pipeline-examples'));
      for (const record of syntheticRuns(2000, { nodeFraction: 0.5 })) await writer.add(record);
      await writer.commit();
    });

    it('documents the five dashboards', () => {
      expect(examples.map((example) => example.title)).toEqual(Object.keys(expected));
    });

    it.each(Object.keys(expected))('%s runs and returns the documented columns', async (title) => {
      const example = examples.find((candidate) => candidate.title === title)!;
      const result = await pool.query(runnable(example.sql));
      expect(result.fields.map((field) => field.name)).toEqual(expected[title]);
      expect(result.rows.length).toBeGreaterThan(0);
      if (title === 'failure rate by day') {
        expect(result.rows.reduce((sum, row) => sum + Number(row.runs), 0)).toBe(2000);
        for (const row of result.rows) expect(Number(row.failure_rate)).toBeGreaterThan(0);
      }
      if (title === 'p95 latency by node')
        expect(Number(result.rows[0].p95_seconds)).toBeGreaterThanOrEqual(Number(result.rows[0].p50_seconds));
      if (title === 'cost by model')
        expect([...new Set(result.rows.map((row) => row.model_name))].sort()).toEqual([
          'gpt-4o-mini',
          'llama3.1:8b',
          'qwen-max',
        ]);
      if (title === 'tokens by app')
        for (const row of result.rows) expect(Number(row.tokens)).toBeGreaterThanOrEqual(Number(row.dify_tokens));
      if (title === 'complete windows')
        expect(result.rows).toEqual([expect.objectContaining({ run_id: 'pipeline-examples', runs: 2000 })]);
    });
  });
});
