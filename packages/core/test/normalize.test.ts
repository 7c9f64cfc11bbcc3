import { describe, expect, it } from 'vitest';
import { DifyResponseError, RunRecordSchema } from '../src/index.js';
import type { DifyLogItem, DifyNodeExecution } from '../src/entries/client.js';
import { toRunRecord } from '../src/records/normalize.js';

const logItem = (overrides: Partial<DifyLogItem> = {}): DifyLogItem => ({
  id: 'log-1',
  workflow_run: {
    id: 'run-1',
    version: '2026-03-02 08:15:44.120331',
    status: 'succeeded',
    triggered_from: 'app-run',
    error: null,
    elapsed_time: 3.418207,
    total_tokens: 1523,
    total_steps: 5,
    created_at: 1772440512,
    finished_at: 1772440515,
    exceptions_count: 0,
  },
  created_from: 'service-api',
  created_by_role: 'end_user',
  created_by_account: null,
  created_by_end_user: { id: 'eu', type: 'service-api', is_anonymous: false, session_id: 'crm-user-42' },
  created_at: 1772440512,
  ...overrides,
});

const node = (overrides: Partial<DifyNodeExecution>): DifyNodeExecution => ({
  id: 'n',
  index: 1,
  predecessor_node_id: null,
  node_id: 'start',
  node_type: 'start',
  title: 'Start',
  inputs: null,
  process_data: null,
  outputs: null,
  status: 'succeeded',
  error: null,
  elapsed_time: 0.01,
  execution_metadata: {},
  created_at: 1772440512,
  finished_at: 1772440512,
  ...overrides,
});

describe('toRunRecord', () => {
  it('maps a log item to the documented fields with ISO UTC times', () => {
    const record = toRunRecord({ appId: 'app', item: logItem() });
    expect(record).toMatchObject({
      appId: 'app',
      logId: 'log-1',
      runId: 'run-1',
      status: 'succeeded',
      workflowVersion: '2026-03-02 08:15:44.120331',
      triggeredFrom: 'app-run',
      createdFrom: 'service-api',
      createdByRole: 'end_user',
      endUserSessionId: 'crm-user-42',
      accountEmail: null,
      createdAt: '2026-03-02T08:35:12.000Z',
      finishedAt: '2026-03-02T08:35:15.000Z',
      elapsedTime: 3.418207,
      totalTokens: 1523,
      inputs: null,
      nodes: null,
      enrichmentError: null,
    });
    expect(RunRecordSchema.parse(record)).toEqual(record);
  });

  it('parses inputs and outputs sent as JSON strings (service detail <= 1.11) and as objects (1.13)', () => {
    const base = { id: 'run-1', status: 'succeeded', created_at: 1772440512, finished_at: 1772440515 };
    const fromStrings = toRunRecord({
      appId: 'a',
      item: logItem(),
      detail: { ...base, inputs: '{"ticket_text":"打印机着火了 🔥"}', outputs: '{"priority":"high"}' },
    });
    expect(fromStrings.inputs).toEqual({ ticket_text: '打印机着火了 🔥' });
    expect(fromStrings.outputs).toEqual({ priority: 'high' });
    const fromObjects = toRunRecord({
      appId: 'a',
      item: logItem(),
      detail: { ...base, inputs: { a: 1 }, outputs: {} },
    });
    expect(fromObjects.inputs).toEqual({ a: 1 });
    expect(fromObjects.outputs).toEqual({});
  });

  it('reads pre-1.2 RFC-822 timestamps', () => {
    const record = toRunRecord({
      appId: 'a',
      item: logItem(),
      detail: {
        id: 'run-1',
        status: 'succeeded',
        created_at: 'Mon, 02 Mar 2026 08:35:12 -0000',
        finished_at: 'Mon, 02 Mar 2026 08:35:15 GMT',
      },
    });
    expect(record.createdAt).toBe('2026-03-02T08:35:12.000Z');
    expect(record.finishedAt).toBe('2026-03-02T08:35:15.000Z');
  });

  it('keeps a lost run (workflow_run null) with null run fields and the log time', () => {
    const record = toRunRecord({ appId: 'a', item: logItem({ workflow_run: null }), detail: null });
    expect(record.runId).toBeNull();
    expect(record.status).toBeNull();
    expect(record.createdAt).toBe('2026-03-02T08:35:12.000Z');
    expect(record.finishedAt).toBeNull();
  });

  it('reports an unfinished run with finishedAt null', () => {
    const item = logItem();
    item.workflow_run = { ...item.workflow_run!, status: 'running', finished_at: null };
    expect(toRunRecord({ appId: 'a', item }).finishedAt).toBeNull();
  });

  it('names the endpoint and field when a JSON string does not parse', () => {
    const act = () =>
      toRunRecord({
        appId: 'a',
        item: logItem(),
        detail: { id: 'r', inputs: '{broken', outputs: null },
        endpoint: 'GET /v1/workflows/run/r',
      });
    expect(act).toThrow(DifyResponseError);
    expect(act).toThrow(/GET \/v1\/workflows\/run\/r .*"inputs"/);
  });

  it('normalises node executions: sorted by index, prices from strings, model and iteration fields', () => {
    const record = toRunRecord({
      appId: 'a',
      item: logItem(),
      nodes: [
        node({
          id: 'c',
          index: 3,
          node_id: 'llm',
          node_type: 'llm',
          execution_metadata: {
            total_tokens: 880,
            total_price: '0.0001626',
            currency: 'USD',
            iteration_id: 'it',
            iteration_index: 2,
          },
          process_data: {
            model_provider: 'langgenius/openai/openai',
            model_name: 'gpt-4o-mini',
            usage: { total_tokens: 880 },
          },
        }),
        node({ id: 'a', index: 1 }),
        node({
          id: 'b',
          index: 2,
          node_type: 'code',
          execution_metadata: { total_price: 0.5 },
          finished_at: null,
          status: 'running',
        }),
      ],
    });
    expect(record.nodes!.map((n) => n.id)).toEqual(['a', 'b', 'c']);
    const llm = record.nodes![2]!;
    expect(llm).toMatchObject({
      totalTokens: 880,
      totalPrice: 0.0001626,
      currency: 'USD',
      modelProvider: 'langgenius/openai/openai',
      modelName: 'gpt-4o-mini',
      iterationId: 'it',
      iterationIndex: 2,
    });
    expect(llm.inputs).toBeUndefined();
    expect(record.nodes![1]).toMatchObject({ totalPrice: 0.5, finishedAt: null, totalTokens: 0 });
    expect(record.nodes![0]!.totalPrice).toBeNull();
  });

  it('reads node executions that leave out what Dify 1.14 declares optional, and marks values Dify cut', () => {
    const sparse = {
      id: 'n-sparse',
      inputs: null,
      outputs: null,
      process_data: null,
      execution_metadata: {},
      outputs_truncated: true,
    } as unknown as DifyNodeExecution;
    const whole = node({
      id: 'n-whole',
      index: 1,
      inputs_truncated: false,
      outputs_truncated: false,
      process_data_truncated: false,
    });
    const record = toRunRecord({ appId: 'app', item: logItem(), nodes: [whole, sparse], endpoint: 'GET /nodes' });
    const [first, second] = record.nodes!;
    expect(first).toMatchObject({ id: 'n-whole', index: 1 });
    expect(first!.truncated).toBeUndefined();
    expect(second).toMatchObject({
      id: 'n-sparse',
      index: 2,
      nodeId: '',
      nodeType: 'unknown',
      status: 'unknown',
      createdAt: record.loggedAt,
    });
    expect(second!.truncated).toEqual({ inputs: false, outputs: true, processData: false });
    expect(RunRecordSchema.safeParse(record).success).toBe(true);
  });

  it('keeps node data only when asked', () => {
    const record = toRunRecord({
      appId: 'a',
      item: logItem(),
      nodes: [node({ inputs: { q: 1 }, outputs: '{"x":2}', process_data: null })],
      includeNodeData: true,
    });
    expect(record.nodes![0]).toMatchObject({ inputs: { q: 1 }, outputs: { x: 2 }, processData: null });
  });
});
