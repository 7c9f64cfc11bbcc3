import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DifyLogsError, readRunRecords } from '../../src/index.js';
import { toMessageRecord } from '../../src/records/chat.js';
import { toRunRecord } from '../../src/records/normalize.js';
import { LogPageSchema, NodeExecutionListSchema, RunDetailSchema } from '../../src/client/schemas/dify.js';
import { MessagePageSchema } from '../../src/client/schemas/chat.js';
import { parseBody } from '../../src/client/schemas/parse.js';

/**
 * Runs `task`; anything thrown must be one of the project's errors (named, with a code), never a TypeError or a crash.
 */
async function onlyProjectErrors(task: () => unknown): Promise<void> {
  try {
    await task();
  } catch (error) {
    if (!DifyLogsError.isInstance(error))
      throw new Error(
        `not a DifyLogsError: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      );
    expect(error.message.length).toBeGreaterThan(0);
  }
}

/** Hostile JSON values: deep nesting, prototype keys, huge and odd strings, numbers that are not numbers. */
const hostileLeaf = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    '',
    '\u0000',
    '\uFEFF',
    '\uD800',
    'NaN',
    'Infinity',
    '-0',
    '1e309',
    '<script>',
    '{"a":',
  ),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 2, -1, 0),
  fc.boolean(),
  fc.constant(null),
);
const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, hostileLeaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(
    fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('__proto__', 'constructor', 'data', 'id', 'created_at', 'workflow_run', 'status'),
    ),
    tie('value'),
    { maxKeys: 6 },
  ),
})).value;

/** Dify-shaped bodies with random values in the fields that matter: closer to what breaks a normaliser. */
const logItem = fc.record(
  {
    id: fc.oneof(fc.uuid(), hostileLeaf),
    created_at: fc.oneof(fc.integer({ min: -1e12, max: 4e9 }), fc.string({ maxLength: 30 }), hostileLeaf),
    created_from: hostileLeaf,
    created_by_role: hostileLeaf,
    workflow_run: fc.oneof(
      fc.constant(null),
      fc.record(
        {
          id: fc.oneof(fc.uuid(), hostileLeaf),
          status: hostileLeaf,
          created_at: hostileLeaf,
          finished_at: hostileLeaf,
          elapsed_time: hostileLeaf,
          total_tokens: hostileLeaf,
          version: hostileLeaf,
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);
const logPage = fc.record(
  {
    page: hostileLeaf,
    limit: hostileLeaf,
    total: hostileLeaf,
    has_more: hostileLeaf,
    data: fc.oneof(fc.array(logItem, { maxLength: 5 }), hostileJson),
  },
  { requiredKeys: [] },
);

// The configuration loader, the archive readers and the client over HTTP are fuzzed in test/fuzz/.
describe('fuzzing the parsers (fast-check)', () => {
  it(
    'response schemas and the normaliser give a record ' + 'or a DifyLogsError naming the field, for any body',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(logPage, hostileJson), async (body) => {
          await onlyProjectErrors(() => {
            const page = parseBody('GET /v1/workflows/logs', LogPageSchema, body);
            for (const item of page.data) toRunRecord({ appId: 'app', item, endpoint: 'GET /v1/workflows/logs' });
          });
        }),
        { numRuns: 600 },
      );
    },
  );

  it('run detail, node executions and chat messages: any body gives a record or a DifyLogsError', async () => {
    await fc.assert(
      fc.asyncProperty(hostileJson, hostileJson, hostileJson, async (detailBody, nodesBody, messagesBody) => {
        await onlyProjectErrors(() => {
          const detail = parseBody('GET detail', RunDetailSchema, detailBody);
          const nodes = parseBody('GET nodes', NodeExecutionListSchema, nodesBody);
          toRunRecord({
            appId: 'app',
            item: { id: 'log', created_at: 1_700_000_000 } as never,
            detail,
            nodes: nodes.data,
            endpoint: 'GET detail',
          });
        });
        await onlyProjectErrors(() => {
          for (const message of parseBody('GET messages', MessagePageSchema, messagesBody).data)
            toMessageRecord('app', message);
        });
      }),
      { numRuns: 400 },
    );
  });

  it('the NDJSON reader names the line of anything that is not a RunRecord and never crashes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.string({ maxLength: 60 }),
            hostileJson.map((value) => JSON.stringify(value) ?? 'undefined'),
            fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
          ),
          { maxLength: 6 },
        ),
        async (lines) => {
          await onlyProjectErrors(async () => {
            for await (const _record of readRunRecords([Buffer.from(lines.join('\n'))], 'fuzz.ndjson')) void _record;
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
