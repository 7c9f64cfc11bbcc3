// Deterministic synthetic RunRecords for benchmarks: statuses, log-normal run times, inputs/outputs,
// 1,000 end users, a handful of error kinds, and node executions (LLM, tool, code, iteration) on a fraction.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STATUSES = [
  'succeeded',
  'succeeded',
  'succeeded',
  'succeeded',
  'succeeded',
  'succeeded',
  'failed',
  'partial-succeeded',
  'stopped',
];
const ERRORS = [
  'Request to https://crm.example.com/api/{n} timed out after 30 s',
  'Model quota exceeded for key sk-{n}',
  'Variable #{n} not found',
  'Code node raised ValueError at line {n}',
];
const MODELS = [
  ['langgenius/openai/openai', 'gpt-4o-mini', 0.00015],
  ['langgenius/tongyi/tongyi', 'qwen-max', 0.0002],
  ['ollama', 'llama3.1:8b', 0],
];

/** The `index`-th record: a plain object shaped like a RunRecord. */
export function syntheticRecord(index, random, nodeFraction, start) {
  const status = STATUSES[Math.floor(random() * STATUSES.length)];
  const elapsed = Math.exp(random() * 3 - 1);
  const createdMs = start + index * 500;
  const createdAt = new Date(createdMs).toISOString();
  const failed = status === 'failed';
  const error = failed ? ERRORS[index % ERRORS.length].replace('{n}', String(Math.floor(random() * 1000))) : null;
  let nodes = null;
  let tokens = Math.floor(random() * 2000);
  if (random() < nodeFraction) {
    const [provider, model, price] = MODELS[index % MODELS.length];
    const prompt = Math.floor(random() * 1500);
    const completion = Math.floor(random() * 500);
    const node = (i, nodeType, title, extra) => ({
      id: `ne-${index}-${i}`,
      nodeId: `${nodeType}-${i}`,
      nodeType,
      title,
      index: i,
      predecessorNodeId: i > 1 ? `n${i - 1}` : null,
      status: 'succeeded',
      error: null,
      elapsedTime: elapsed / 5,
      totalTokens: 0,
      promptTokens: null,
      completionTokens: null,
      totalPrice: null,
      currency: null,
      modelProvider: null,
      modelName: null,
      iterationId: null,
      iterationIndex: null,
      loopId: null,
      loopIndex: null,
      createdAt,
      finishedAt: createdAt,
      ...extra,
    });
    nodes = [
      node(1, 'start', 'Start', {}),
      node(2, 'llm', 'Classify ticket', {
        totalTokens: prompt + completion,
        promptTokens: prompt,
        completionTokens: completion,
        totalPrice: ((prompt + completion) * price) / 1000,
        currency: 'USD',
        modelProvider: provider,
        modelName: model,
      }),
      node(3, 'tool', 'Search CRM', failed ? { status: 'failed', error } : {}),
      node(4, 'iteration', 'For each document', { totalTokens: 300 }),
      node(5, 'llm', 'Summarise', {
        totalTokens: 300,
        promptTokens: 250,
        completionTokens: 50,
        modelProvider: provider,
        modelName: model,
        iterationId: 'iteration-4',
        iterationIndex: 0,
      }),
      node(6, 'end', 'End', {}),
    ];
    tokens = prompt + completion; // Dify's total misses the iteration's inner node
  }
  return {
    appId: `app-${index % 3}`,
    logId: `log-${index}`,
    runId: `run-${index}`,
    status,
    workflowVersion: index % 10 === 0 ? 'draft' : '2026-03-01 10:00:00',
    triggeredFrom: index % 7 === 0 ? 'webhook' : 'app-run',
    createdFrom: 'service-api',
    createdByRole: 'end_user',
    endUserSessionId: `user-${index % 1000}`,
    accountEmail: null,
    loggedAt: createdAt,
    createdAt,
    finishedAt: status === 'stopped' ? null : new Date(createdMs + elapsed * 1000).toISOString(),
    elapsedTime: elapsed,
    totalTokens: tokens,
    totalSteps: nodes ? nodes.length : 4,
    exceptionsCount: 0,
    error,
    inputs: {
      query: `Ticket ${index}: printer on floor ${index % 9} is offline`,
      priority: index % 3,
      customer: { id: index % 500, tier: 'gold' },
    },
    outputs: failed ? null : { answer: 'Restart the spooler, then reconnect.', category: 'hardware' },
    nodes,
    enrichmentError: null,
  };
}

/** Writes `count` records as NDJSON to `path`. */
export async function writeSyntheticNdjson(
  path,
  count,
  { nodeFraction = 0.2, seed = 7, start = Date.parse('2026-03-01T00:00:00Z') } = {},
) {
  const random = prng(seed);
  const out = createWriteStream(path);
  let buffer = '';
  for (let index = 0; index < count; index += 1) {
    buffer += `${JSON.stringify(syntheticRecord(index, random, nodeFraction, start))}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}
