import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBody } from '../../src/client/schemas/parse.js';
import {
  LogPageSchema,
  NodeExecutionListSchema,
  RunDetailSchema,
  type DifyLogItem,
  type DifyNodeExecution,
  type DifyRunDetail,
} from '../../src/client/schemas/dify.js';
import { DifyResponseError } from '../../src/errors/response-error.js';
import { toRunRecord } from '../../src/records/normalize.js';
import { hostileValue, nested, pathsOf, RUNS, setPath } from './arbitraries.js';

const LOG_PAGE = {
  page: 1,
  limit: 20,
  total: 1,
  has_more: false,
  data: [
    {
      id: 'log-1',
      workflow_run: {
        id: 'run-1',
        version: 'draft',
        status: 'succeeded',
        triggered_from: 'app-run',
        error: null,
        elapsed_time: 1.5,
        total_tokens: 10,
        total_steps: 3,
        created_at: 1_772_000_000,
        finished_at: 1_772_000_002,
        exceptions_count: 0,
      },
      created_from: 'service-api',
      created_by_role: 'end_user',
      created_by_account: null,
      created_by_end_user: { id: 'u', type: 'service_api', is_anonymous: false, session_id: 's' },
      created_at: 1_772_000_000,
    },
  ],
};
const RUN_DETAIL = {
  id: 'run-1',
  workflow_id: 'wf',
  version: 'draft',
  status: 'succeeded',
  inputs: '{"q":"hi"}',
  outputs: { answer: 'ok' },
  error: null,
  total_steps: 3,
  total_tokens: 10,
  elapsed_time: 1.5,
  exceptions_count: 0,
  created_at: 1_772_000_000,
  finished_at: 1_772_000_002,
};
const NODES = {
  data: [
    {
      id: 'ne-1',
      index: 1,
      predecessor_node_id: null,
      node_id: 'llm',
      node_type: 'llm',
      title: 'LLM',
      inputs: {},
      process_data: '{"usage":{"total_tokens":10,"total_price":"0.01"}}',
      outputs: {},
      status: 'succeeded',
      error: null,
      elapsed_time: 1,
      execution_metadata: { total_tokens: 10, currency: 'USD' },
      created_at: 1_772_000_000,
      finished_at: 1_772_000_001,
    },
  ],
};

const ENDPOINT = 'GET /fuzz';

/** Parses and normalises a log page, a run detail and node executions as the exporter does. */
function parseAndNormalise(page: unknown, detail: unknown, nodes: unknown) {
  const logPage = parseBody(ENDPOINT, LogPageSchema, page);
  const runDetail = parseBody(ENDPOINT, RunDetailSchema, detail) as DifyRunDetail;
  const executions = parseBody(ENDPOINT, NodeExecutionListSchema, nodes).data as DifyNodeExecution[];
  return logPage.data.map((item: DifyLogItem) => {
    const record = toRunRecord({
      appId: 'app',
      item,
      detail: runDetail,
      nodes: executions,
      includeNodeData: true,
      endpoint: ENDPOINT,
    });
    // What the archive, the spool and the run cache do with every record: it must serialise.
    JSON.stringify(record);
    return record;
  });
}

/** Runs `action`; any throw other than a DifyResponseError fails the property. Returns the error, if any. */
function onlyResponseErrors(action: () => unknown): DifyResponseError | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (!DifyResponseError.isInstance(error))
      throw new Error(`expected only DifyResponseError, got ${String(error)}`, { cause: error });
    expect(error.message).toContain(ENDPOINT);
    return error;
  }
}

const bodies = [
  ['log page', LOG_PAGE],
  ['run detail', RUN_DETAIL],
  ['node executions', NODES],
] as const;

describe('response parsers under hostile bodies (fast-check)', () => {
  it('the valid fixtures parse (the properties below start from them)', () => {
    const [record] = parseAndNormalise(LOG_PAGE, RUN_DETAIL, NODES);
    expect(record?.inputs).toEqual({ q: 'hi' });
    expect(record?.nodes?.[0]?.totalPrice).toBe(0.01);
  });

  it('a whole body replaced by anything: only DifyResponseError comes out', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 2), hostileValue, (which, body) => {
        const args: unknown[] = [LOG_PAGE, RUN_DETAIL, NODES];
        args[which] = body;
        onlyResponseErrors(() => parseAndNormalise(args[0], args[1], args[2]));
      }),
      { numRuns: RUNS },
    );
  });

  for (const [name, body] of bodies) {
    it(`${name}: any field replaced by a hostile value fails only with a DifyResponseError naming that field`, () => {
      const paths = pathsOf(body).filter((path) => path.length > 0);
      fc.assert(
        fc.property(fc.constantFrom(...paths), hostileValue, (path, value) => {
          const mutated = setPath(body, path, value);
          const args: unknown[] = [LOG_PAGE, RUN_DETAIL, NODES];
          args[bodies.findIndex(([other]) => other === name)] = mutated;
          const error = onlyResponseErrors(() => parseAndNormalise(args[0], args[1], args[2]));
          if (error) {
            // The error names a field on the mutated path (the schema names the full path, the normaliser its tail).
            const dotted = path.join('.');
            expect(error.field === '' ? dotted : error.field, `mutated ${dotted}`).not.toBe('');
            expect(
              dotted.endsWith(error.field) || error.field.startsWith(dotted) || dotted.startsWith(error.field),
              `mutated ${dotted}, error names ${error.field}`,
            ).toBe(true);
          }
        }),
        { numRuns: RUNS },
      );
    });

    it(`${name}: prototype keys added anywhere neither pollute Object.prototype nor crash`, () => {
      const paths = pathsOf(body).filter((path) => {
        const at = path.reduce<unknown>((value, key) => (value as Record<string | number, unknown>)[key], body);
        return typeof at === 'object' && at !== null;
      });
      fc.assert(
        fc.property(
          fc.constantFrom(...paths),
          fc.constantFrom('__proto__', 'constructor', 'prototype'),
          hostileValue,
          (path, key, value) => {
            const mutated = setPath(body, [...path, key], value);
            const args: unknown[] = [LOG_PAGE, RUN_DETAIL, NODES];
            args[bodies.findIndex(([other]) => other === name)] = mutated;
            onlyResponseErrors(() => parseAndNormalise(args[0], args[1], args[2]));
            expect(({} as Record<string, unknown>).polluted).toBeUndefined();
            expect(Object.keys(Object.prototype)).toEqual([]);
          },
        ),
        { numRuns: RUNS },
      );
    });
  }

  it('JSON-encoded strings with prototype keys, BOMs and junk: objects, or an error naming the field', () => {
    const encoded = fc.oneof(
      fc.constantFrom(
        '{"__proto__":{"polluted":1}}',
        '\uFEFF{"a":1}',
        '{"constructor":{"prototype":{"polluted":1}}}',
        '"just a string"',
        '[1,2]',
        'NaN',
        '{',
        '\uD800',
      ),
      fc.json(),
      fc.string({ unit: 'binary', maxLength: 30 }),
    );
    fc.assert(
      fc.property(fc.constantFrom('inputs', 'outputs'), encoded, (field, text) => {
        const error = onlyResponseErrors(() => {
          const [record] = parseAndNormalise(LOG_PAGE, { ...RUN_DETAIL, [field]: text }, NODES);
          const parsed = record![field as 'inputs' | 'outputs'];
          expect(parsed === null || (typeof parsed === 'object' && !Array.isArray(parsed))).toBe(true);
        });
        if (error) expect(error.field).toBe(field);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it(
    'deeply nested inputs, outputs and node data: a ' + 'DifyResponseError naming the field, never a stack overflow',
    () => {
      for (const depth of [10_000, 100_000]) {
        for (const encoded of [false, true]) {
          const deep = encoded ? `${'['.repeat(depth)}${']'.repeat(depth)}` : nested(depth, 'object');
          const detailError = onlyResponseErrors(() =>
            parseAndNormalise(LOG_PAGE, { ...RUN_DETAIL, outputs: encoded ? `{"a":${deep}}` : deep }, NODES),
          );
          expect(detailError?.field).toBe('outputs');
          expect(detailError?.message).toMatch(/nested deeper than/);
          const nodes = setPath(NODES, ['data', 0, 'process_data'], encoded ? `{"a":${deep}}` : deep);
          const nodeError = onlyResponseErrors(() => parseAndNormalise(LOG_PAGE, RUN_DETAIL, nodes));
          expect(nodeError?.field).toBe('process_data');
        }
      }
    },
  );

  it('nesting within the limit is kept as it is', () => {
    const [record] = parseAndNormalise(LOG_PAGE, { ...RUN_DETAIL, outputs: { a: nested(200) } }, NODES);
    expect(JSON.stringify(record?.outputs)).toBe(`{"a":${'['.repeat(200)}1${']'.repeat(200)}}`);
  });

  it('huge strings pass through untouched (no quadratic work, no copy limits hit)', () => {
    const huge = 'x'.repeat(32 * 1024 * 1024);
    const [record] = parseAndNormalise(LOG_PAGE, { ...RUN_DETAIL, outputs: { text: huge }, error: huge }, NODES);
    expect((record?.outputs as { text: string }).text.length).toBe(huge.length);
    expect(record?.error?.length).toBe(huge.length);
  });
});

/** What identifies a row or is required by Dify's own schema: drift there may drop the row (and is reported). */
const ENVELOPE = [/^(page|limit|total|has_more|data)$/, /^data\.\d+$/, /^data\.\d+\.id$/];
const REQUIRED: Record<string, RegExp[]> = {
  'log page': [...ENVELOPE, /^data\.\d+\.created_at$/, /^data\.\d+\.workflow_run(\.(id|status|created_at))?$/],
  'run detail': [],
  // Dify 1.14 declares index, node_id, node_type, status and created_at optional: only the id identifies a node.
  'node executions': ENVELOPE,
};

describe('type drift of optional fields never loses a run (fast-check)', () => {
  for (const [name, body] of bodies) {
    const optional = pathsOf(body).filter(
      (path) => path.length > 0 && !REQUIRED[name]!.some((pattern) => pattern.test(path.join('.'))),
    );
    it(`${name}: any optional field replaced by any value keeps every row`, () => {
      fc.assert(
        fc.property(fc.constantFrom(...optional), fc.jsonValue({ maxDepth: 3 }), (path, value) => {
          const args: unknown[] = [LOG_PAGE, RUN_DETAIL, NODES];
          args[bodies.findIndex(([candidate]) => candidate === name)] = setPath(body, path, value);
          const logPage = parseBody(ENDPOINT, LogPageSchema, args[0]);
          const runDetail = parseBody(ENDPOINT, RunDetailSchema, args[1]) as DifyRunDetail;
          const executions = parseBody(ENDPOINT, NodeExecutionListSchema, args[2]).data as DifyNodeExecution[];
          expect(logPage.data).toHaveLength(1);
          expect(executions).toHaveLength(1);
          const record = toRunRecord({
            appId: 'app',
            item: logPage.data[0]!,
            detail: runDetail,
            nodes: executions,
            includeNodeData: true,
            endpoint: ENDPOINT,
            salvaged: [],
          });
          expect(record.logId).toBe('log-1');
          expect(record.runId).toBe('run-1');
          expect(record.nodes).toHaveLength(1);
          JSON.stringify(record);
        }),
        { numRuns: RUNS },
      );
    });
  }
});
