import type { TestRunner } from './runner.js';
import type { Sink, SinkCommit, SinkContext } from '../adapters/sink.js';
import type { NodeRecord, RunRecord } from '../records/schema.js';
import { sampleChatMessage, sampleContext, sampleNode, sampleRun, unique, write } from './sink-samples.js';
import { conversationCases, type ConversationSuiteOptions } from './sink-conversation-suite.js';

/** Rows a reader of the sink's backing sees: committed ones only. */
export interface SinkCounts {
  runs: number;
  nodes: number;
}

/** What a reader sees of one run. */
export interface SinkRunView {
  status: string | null;
  error: string | null;
  inputs: Record<string, unknown> | null;
  outputs: Record<string, unknown> | null;
  /** Its node executions, in any order. */
  nodes: Array<{ id: string; status: string; title: string | null }>;
}

export interface SinkSuiteOptions<S extends Sink = Sink> extends ConversationSuiteOptions<S> {
  /** Shown in the test names. */
  name: string;
  /**
   * A sink for a test. Tests use ids of their own, so the backing need not be empty (counts are compared before and
   * after).
   */
  create: () => S | Promise<S>;
  /** The committed runs and node executions a reader sees, over the whole backing. */
  count: (sink: S) => Promise<SinkCounts>;
  /**
   * A committed run as a reader sees it (by Dify log id), `undefined` when none is visible. Without it the value checks
   * are skipped.
   */
  read?: (sink: S, logId: string) => Promise<SinkRunView | undefined>;
  /**
   * The committed chat messages a reader sees, over the whole backing. With it the messages are tested (the sink's
   * writer must then have `addMessage`); without it that test is skipped, with that reason.
   */
  countMessages?: (sink: S) => Promise<number>;
  /** `false` for a sink without `forget` (its forget test is skipped, with that reason). Default true. */
  forget?: boolean;
  /** Removes what a test left (called before `close`). */
  cleanup?: (sink: S) => void | Promise<void>;
}

const nodesOf = (records: RunRecord[]) => records.reduce((sum, record) => sum + (record.nodes?.length ?? 0), 0);
/** Sinks that cannot store U+0000 (PostgreSQL) drop it: compare without it. */
function withoutNul(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('\u0000', '');
  if (Array.isArray(value)) return value.map(withoutNul);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key.replaceAll('\u0000', ''), withoutNul(inner)]),
    );
  return value;
}

/**
 * The Sink contract as tests. Run it from a sink package's test: `testSink({ name: 'postgres', create,
 * count })`. Commits report rows as `rows.runs` and `rows.node_executions` (inserted or updated).
 */
export function testSink<S extends Sink>(runner: TestRunner, options: SinkSuiteOptions<S>): void {
  const { afterEach, beforeEach, describe, expect, it } = runner;
  const withRead = (title: string, body: (read: NonNullable<SinkSuiteOptions<S>['read']>) => Promise<void>) =>
    options.read
      ? it(title, () => body(options.read!))
      : it.skip(`${title} (skipped: no read option)`, () => undefined);

  describe(`Sink conformance: ${options.name}`, () => {
    let sink: S;
    let before: SinkCounts;
    const delta = async (): Promise<SinkCounts> => {
      const now = await options.count(sink);
      return { runs: now.runs - before.runs, nodes: now.nodes - before.nodes };
    };
    beforeEach(async () => {
      sink = await options.create();
      before = await options.count(sink);
    });
    afterEach(async () => {
      await options.cleanup?.(sink);
      await sink.close?.();
    });

    it('shows nothing before commit, then the whole window, and reports the rows', async () => {
      const id = unique('visible');
      const records = [
        sampleRun(`${id}-1`, 3),
        sampleRun(`${id}-2`, null),
        sampleRun(`${id}-3`, 2),
        sampleRun(`${id}-4`, 0),
        sampleRun(`${id}-5`, 1),
      ];
      const writer = await sink.open(sampleContext());
      for (const record of records) await writer.add(record);
      expect(await delta()).toEqual({ runs: 0, nodes: 0 });
      const commit = await writer.commit();
      expect(commit.rows).toMatchObject({ runs: 5, node_executions: 6 });
      expect(await delta()).toEqual({ runs: 5, nodes: 6 });
    });

    it('writes the same window again without duplicating a row', async () => {
      const id = unique('again');
      const records = Array.from({ length: 20 }, (_, index) => sampleRun(`${id}-${index}`, index % 3));
      const context = sampleContext();
      await write(sink, records, context);
      const first = await delta();
      expect(first).toEqual({ runs: 20, nodes: nodesOf(records) });
      const again = await write(sink, records, context);
      expect(again.rows).toMatchObject({ runs: 20 });
      expect(await delta()).toEqual(first);
      await write(sink, records);
      expect(await delta()).toEqual(first);
    });

    it('updates runs written again by an overlapping window, without duplicating', async () => {
      const id = unique('overlap');
      const first = Array.from({ length: 6 }, (_, index) => sampleRun(`${id}-${index}`, 2));
      first[5] = sampleRun(`${id}-5`, 1, {
        status: 'running',
        finishedAt: null,
        elapsedTime: null,
        outputs: null,
        nodes: [sampleNode(`${id}-5-n1`, { status: 'running', finishedAt: null })],
      });
      await write(sink, first);
      expect(await delta()).toEqual({ runs: 6, nodes: 11 });
      const second = Array.from({ length: 6 }, (_, index) => sampleRun(`${id}-${index + 4}`, 2));
      second[1] = sampleRun(`${id}-5`, 2, { outputs: { answer: 'done' } });
      await write(sink, second);
      expect(await delta()).toEqual({ runs: 10, nodes: 20 });
      if (options.read) {
        const view = await options.read(sink, `${id}-5`);
        expect(view).toMatchObject({ status: 'succeeded', outputs: { answer: 'done' } });
        expect(view!.nodes.map((node) => [node.id, node.status]).sort()).toEqual([
          [`${id}-5-n1`, 'succeeded'],
          [`${id}-5-n2`, 'succeeded'],
        ]);
      }
    });

    it('leaves nothing of an aborted write visible, across batches and for runs it would have updated', async () => {
      const id = unique('abort');
      const kept = sampleRun(`${id}-kept`, 2, { status: 'running', finishedAt: null });
      await write(sink, [kept]);
      const writer = await sink.open(sampleContext());
      await writer.add(sampleRun(`${id}-kept`, 3, { status: 'failed', error: 'should not show' }));
      for (let index = 0; index < 2500; index += 1) await writer.add(sampleRun(`${id}-${index}`, index % 2));
      await writer.abort(new Error('the source broke'));
      expect(await delta()).toEqual({ runs: 1, nodes: 2 });
      if (options.read)
        expect(await options.read(sink, `${id}-kept`)).toMatchObject({ status: 'running', error: null });
      await write(sink, [sampleRun(`${id}-after`, 1)]);
      expect(await delta()).toEqual({ runs: 2, nodes: 3 });
    });

    it('keeps an uncommitted write invisible while another window commits', async () => {
      const id = unique('isolated');
      const slow = await sink.open(sampleContext());
      for (let index = 0; index < 10; index += 1) await slow.add(sampleRun(`${id}-slow-${index}`, 1));
      await write(sink, [sampleRun(`${id}-fast`, 2)]);
      expect(await delta()).toEqual({ runs: 1, nodes: 2 });
      await slow.abort(new Error('gave up'));
      expect(await delta()).toEqual({ runs: 1, nodes: 2 });
    });

    it("replaces a run's nodes when it is written again with fewer", async () => {
      const id = unique('shrink');
      await write(sink, [sampleRun(id, 4)]);
      expect(await delta()).toEqual({ runs: 1, nodes: 4 });
      await write(sink, [sampleRun(id, 1, { nodes: [sampleNode(`${id}-n9`, { title: 'Retried' })] })]);
      expect(await delta()).toEqual({ runs: 1, nodes: 1 });
      if (options.read)
        expect((await options.read(sink, id))!.nodes).toEqual([
          { id: `${id}-n9`, status: 'succeeded', title: 'Retried' },
        ]);
      await write(sink, [sampleRun(id, 0)]);
      expect(await delta()).toEqual({ runs: 1, nodes: 0 });
    });

    it('keeps the stored nodes when the run is written again without them (nodes: null, not fetched)', async () => {
      const id = unique('unfetched');
      await write(sink, [sampleRun(id, 3, { status: 'running', finishedAt: null })]);
      await write(sink, [sampleRun(id, null)]);
      expect(await delta()).toEqual({ runs: 1, nodes: 3 });
      if (options.read) expect(await options.read(sink, id)).toMatchObject({ status: 'succeeded' });
    });

    it('keeps the later copy of a run that comes twice in one window', async () => {
      const id = unique('twice');
      const commit = await write(sink, [
        sampleRun(id, 3, { status: 'running' }),
        sampleRun(`${id}-other`, 1),
        sampleRun(id, 1, { status: 'failed', error: 'boom' }),
      ]);
      expect(commit.rows.runs).toBeGreaterThanOrEqual(2);
      expect(await delta()).toEqual({ runs: 2, nodes: 2 });
      if (options.read) expect(await options.read(sink, id)).toMatchObject({ status: 'failed', error: 'boom' });
    });

    withRead('stores unicode, NUL, huge outputs and records missing optional fields or nodes', async (read) => {
      const id = unique('edge');
      const huge = 'x'.repeat(2 * 1024 * 1024);
      const unicode = {
        question: '退货政策是什么？ "quoted" \\ back\nslash 🚚 مرحبا e\u0301 \\u0000 literal',
        nul: 'a\u0000b',
        'key\u0000with nul': 1,
      };
      const {
        promptTokens: _prompt,
        completionTokens: _completion,
        ...legacyNode
      } = sampleNode(`${id}-legacy-n1`, { title: '节点 “一”\u0000', error: 'Fehler: ü\u0000' });
      const records: RunRecord[] = [
        sampleRun(`${id}-unicode`, 1, {
          inputs: unicode,
          outputs: { answer: '✓ 完成' },
          error: 'Nul\u0000 in error',
          endUserSessionId: '用户-1',
        }),
        sampleRun(`${id}-huge`, 1, {
          outputs: { text: huge, list: Array.from({ length: 1000 }, (_, index) => ({ index })) },
        }),
        sampleRun(`${id}-lost`, null, {
          runId: null,
          status: null,
          workflowVersion: null,
          triggeredFrom: null,
          createdFrom: null,
          createdByRole: null,
          endUserSessionId: null,
          finishedAt: null,
          elapsedTime: null,
          totalTokens: null,
          totalSteps: null,
          exceptionsCount: null,
          inputs: null,
          outputs: null,
        }),
        sampleRun(`${id}-empty`, 0, {
          enrichmentError: { stage: 'nodes', code: 'http_500', message: 'nodes could not be fetched' },
        }),
        sampleRun(`${id}-legacy`, 0, { nodes: [legacyNode as NodeRecord] }),
      ];
      await write(sink, records);
      expect(await delta()).toEqual({ runs: 5, nodes: 3 });
      const stored = await read(sink, `${id}-unicode`);
      expect(withoutNul(stored?.inputs)).toEqual(withoutNul(unicode));
      expect(stored?.error?.replaceAll('\u0000', '')).toBe('Nul in error');
      expect(((await read(sink, `${id}-huge`))?.outputs?.text as string).length).toBe(huge.length);
      expect(await read(sink, `${id}-lost`)).toMatchObject({ status: null, inputs: null, outputs: null, nodes: [] });
      expect((await read(sink, `${id}-legacy`))?.nodes.map((node) => node.title?.replaceAll('\u0000', ''))).toEqual([
        '节点 “一”',
      ]);
    });

    // Sinks without `forget` cannot delete an end user's rows (`dify-logs archive forget` names them): they say so.
    const withForget = (title: string, body: () => Promise<void>) =>
      options.forget === false
        ? it.skip(`${title} (skipped: the sink has no forget)`, () => undefined)
        : it(title, body);

    withForget("forgets an end user's runs and nodes in the days asked for, after a dry run that counts", async () => {
      const id = unique('forget');
      const person = unique('person');
      const records = [
        sampleRun(`${id}-1`, 2, { endUserSessionId: person }),
        sampleRun(`${id}-2`, 1, { endUserSessionId: person, loggedAt: '2026-03-04T10:00:00.000Z' }),
        sampleRun(`${id}-3`, 3, { endUserSessionId: unique('someone-else') }),
      ];
      await write(sink, records);
      expect(await delta()).toEqual({ runs: 3, nodes: 6 });
      const counted = await sink.forget!({ endUsers: [person], from: '2026-03-02', to: '2026-03-02', dryRun: true });
      expect(counted.rows).toEqual({ runs: 1, node_executions: 2 });
      expect(await delta()).toEqual({ runs: 3, nodes: 6 });
      const forgotten = await sink.forget!({ endUsers: ['not-them', person], from: '2026-03-02', to: '2026-03-02' });
      expect(forgotten.rows).toEqual({ runs: 1, node_executions: 2 });
      expect(await delta()).toEqual({ runs: 2, nodes: 4 });
      // Without days: every run of theirs that is left.
      expect((await sink.forget!({ endUsers: [person] })).rows).toEqual({ runs: 1, node_executions: 1 });
      expect(await delta()).toEqual({ runs: 1, nodes: 3 });
      if (options.read) expect(await options.read(sink, `${id}-3`)).not.toBeUndefined();
    });

    const withMessages = (
      title: string,
      body: (count: NonNullable<SinkSuiteOptions<S>['countMessages']>) => Promise<void>,
    ) =>
      options.countMessages
        ? it(title, () => body(options.countMessages!))
        : it.skip(`${title} (skipped: no countMessages option)`, () => undefined);

    withMessages(
      'stores the chat messages of a window once each, updated when written again, never after abort',
      async (count) => {
        const id = unique('messages');
        const messages = Array.from({ length: 7 }, (_, index) =>
          sampleChatMessage(`${id}-${index}`, { conversationId: `${id}-c${index % 2}`, query: `问题 ${index} “引号”` }),
        );
        const before = await count(sink);
        const commit = await write(sink, [sampleRun(`${id}-run`, 1)], sampleContext(), messages);
        expect(commit.rows).toMatchObject({ runs: 1, messages: 7 });
        expect((await count(sink)) - before).toBe(7);
        const changed = messages.map((message) => ({ ...message, feedback: 'dislike' as const }));
        await write(sink, [], sampleContext(), changed);
        expect((await count(sink)) - before).toBe(7);
        const writer = await sink.open(sampleContext());
        await writer.addMessage!(sampleChatMessage(`${id}-aborted`));
        await writer.abort(new Error('a test abort'));
        expect((await count(sink)) - before).toBe(7);
        if (sink.forget) {
          // Forgetting the end user of a conversation's message removes the whole conversation.
          const mine = sampleChatMessage(`${id}-mine`, { conversationId: `${id}-c0`, endUserId: `${id}-person` });
          await write(sink, [], sampleContext(), [mine]);
          const forgotten = await sink.forget({ endUsers: [`${id}-person`] });
          expect(forgotten.rows.messages).toBe(5);
          expect((await count(sink)) - before).toBe(3);
        }
      },
    );

    conversationCases(runner, () => sink, options);

    it('refuses records after commit', async () => {
      const writer = await sink.open(sampleContext());
      await writer.add(sampleRun(unique('closed'), 1));
      await writer.commit();
      await expect(async () => writer.add(sampleRun(unique('late'), 1))).rejects.toThrow();
      await writer.abort(new Error('after commit')).catch(() => undefined);
      expect(await delta()).toEqual({ runs: 1, nodes: 1 });
    });
  });
}
