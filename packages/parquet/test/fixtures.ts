import type { NodeRecord, RunRecord } from '@dify-logs/core';

export function makeNode(overrides: Partial<NodeRecord> = {}): NodeRecord {
  return {
    id: 'exec-1',
    nodeId: 'llm',
    nodeType: 'llm',
    title: 'LLM',
    index: 1,
    predecessorNodeId: null,
    status: 'succeeded',
    error: null,
    elapsedTime: 0.8,
    totalTokens: 120,
    promptTokens: 100,
    completionTokens: 20,
    totalPrice: 0.0012,
    currency: 'USD',
    modelProvider: 'langgenius/openai/openai',
    modelName: 'gpt-4o-mini',
    iterationId: null,
    iterationIndex: null,
    loopId: null,
    loopIndex: null,
    createdAt: '2026-03-02T08:35:12.000Z',
    finishedAt: '2026-03-02T08:35:13.000Z',
    ...overrides,
  };
}

export function makeRun(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    appId: 'app-1',
    logId: 'log-1',
    runId: 'run-1',
    status: 'succeeded',
    workflowVersion: '2026-03-01 10:00:00',
    triggeredFrom: 'app-run',
    createdFrom: 'service-api',
    createdByRole: 'end_user',
    endUserSessionId: 'session-1',
    accountEmail: null,
    loggedAt: '2026-03-02T08:35:12.000Z',
    createdAt: '2026-03-02T08:35:12.000Z',
    finishedAt: '2026-03-02T08:35:14.000Z',
    elapsedTime: 2.5,
    totalTokens: 120,
    totalSteps: 3,
    exceptionsCount: 0,
    error: null,
    inputs: { query: 'hello' },
    outputs: { answer: 'world' },
    nodes: null,
    enrichmentError: null,
    ...overrides,
  };
}

/** Text that trips up encoders: quotes, controls, CJK, emoji, combining marks, a NUL, astral planes. */
export const AWKWARD_TEXT = [
  '',
  ' ',
  'say "hi", then \\ leave',
  'line one\nline two\r\n',
  '用户查询：天气怎么样？',
  'emoji 🎉👍🏽 mixed 中文',
  'e\u0301 ñ',
  'nul\u0000byte',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '=HYPERLINK("x")',
];

/** A small deterministic PRNG (mulberry32), so a failing case can be replayed from its seed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Random RunRecords covering every field's shapes: nulls, absent optional node fields, iterations and loops, enrichment
 * errors, odd numbers, awkward text and nested JSON; times spread over `spanMs` (default about 12 years). The property
 * tests' generator (fast-check is not a dependency here).
 */
export function randomRecords(count: number, seed: number, options: { spanMs?: number } = {}): RunRecord[] {
  const spanMs = options.spanMs ?? 4e11;
  const random = prng(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const maybe = <T>(value: T, nullChance = 0.3): T | null => (random() < nullChance ? null : value);
  const text = () => pick(AWKWARD_TEXT) + (random() < 0.5 ? String(Math.floor(random() * 1e6)) : '');
  const time = () => new Date(Date.UTC(2020, 0, 1) + Math.floor(random() * spanMs)).toISOString();
  const number = () => pick([0, 1, 0.1 + 0.2, 1e-9, 12345.678, 2 ** 52 + 0.5, Number.MAX_VALUE, -3.5]);
  const integer = () => pick([0, 1, 7, 2 ** 31 - 1, -5, 123456]);
  const json = (depth = 0): unknown => {
    const shape = Math.floor(random() * (depth > 2 ? 4 : 6));
    if (shape === 0) return text();
    if (shape === 1) return number();
    if (shape === 2) return pick([true, false, null]);
    if (shape === 3) return integer();
    if (shape === 4) return Array.from({ length: Math.floor(random() * 4) }, () => json(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [text(), json(depth + 1)]));
  };
  const object = () =>
    Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, (_, index) => [`${text()}${index}`, json()]));
  const node = (index: number): NodeRecord => {
    const record: NodeRecord = makeNode({
      id: `exec-${index}-${Math.floor(random() * 1e9)}`,
      nodeId: text() || 'node',
      nodeType: pick(['start', 'llm', 'code', 'iteration', 'loop', 'tool', 'agent', 'end']),
      title: maybe(text()),
      index,
      predecessorNodeId: maybe(text()),
      status: pick(['succeeded', 'failed', 'exception', 'running']),
      error: maybe(text(), 0.7),
      elapsedTime: maybe(number()),
      totalTokens: integer(),
      totalPrice: maybe(number()),
      currency: maybe(pick(['USD', 'RMB'])),
      modelProvider: maybe(text()),
      modelName: maybe(text()),
      iterationId: maybe(text(), 0.7),
      iterationIndex: maybe(integer(), 0.7),
      loopId: maybe(text(), 0.8),
      loopIndex: maybe(integer(), 0.8),
      createdAt: time(),
      finishedAt: maybe(time()),
    });
    // Optional fields: present with a value, present as null, or absent (archives written before they existed).
    const optional = Math.floor(random() * 3);
    if (optional === 0) record.promptTokens = integer();
    if (optional === 1) record.promptTokens = null;
    if (optional === 2) delete record.promptTokens;
    if (random() < 0.5) delete record.completionTokens;
    if (random() < 0.3) {
      record.inputs = maybe(object());
      record.outputs = maybe(object());
      record.processData = maybe(object());
    }
    return record;
  };
  return Array.from({ length: count }, (_, index) => {
    const nodes =
      random() < 0.3 ? null : Array.from({ length: Math.floor(random() * 6) }, (_, position) => node(position));
    return makeRun({
      appId: `app-${Math.floor(random() * 3)}`,
      logId: `log-${index}-${text()}`,
      runId: maybe(`run-${index}`),
      status: maybe(pick(['succeeded', 'failed', 'running', 'partial-succeeded'])),
      workflowVersion: maybe(pick(['draft', '2026-03-01 10:00:00'])),
      triggeredFrom: maybe(pick(['app-run', 'webhook', 'schedule'])),
      createdFrom: maybe('service-api'),
      createdByRole: maybe(pick(['account', 'end_user'])),
      endUserSessionId: maybe(text()),
      accountEmail: maybe('someone@example.com'),
      loggedAt: time(),
      createdAt: time(),
      finishedAt: maybe(time()),
      elapsedTime: maybe(number()),
      totalTokens: maybe(integer()),
      totalSteps: maybe(integer()),
      exceptionsCount: maybe(integer()),
      error: maybe(text(), 0.6),
      inputs: maybe(object()),
      outputs: maybe(object()),
      nodes,
      enrichmentError:
        random() < 0.2 ? { stage: pick(['detail', 'nodes'] as const), code: text(), message: text() } : null,
    });
  });
}
