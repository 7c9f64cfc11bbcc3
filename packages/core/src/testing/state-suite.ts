import type { RunnerTestContext, TestRunner } from './runner.js';
import type { RunCache } from '../adapters/run-cache.js';
import type { EnrichmentLevel } from '../adapters/run-cache.js';
import { EMPTY_APP_STATE, type AppState, type StateStore } from '../adapters/state.js';
import type { RunRecord } from '../records/schema.js';

export interface StateSuiteOptions {
  /** Shown in the test names. */
  name: string;
  /**
   * A store for a test. Tests use names of their own, so the backing need not be empty. With `shared`,
   * every call opens another store on the same backing (a second worker on one database).
   */
  create: () => StateStore | Promise<StateStore>;
  /** Removes what a test left (called for every store a test created, before `close`). */
  cleanup?: (store: StateStore) => void | Promise<void>;
  /** Stores from `create` share one backing: check that they see each other and lose nothing when racing. */
  shared?: boolean;
  /** Groups to leave out, with the reason shown in the test name. */
  skip?: Partial<Record<StateSuiteGroup, string>>;
}

/** `concurrentStores`: the race tests through two stores on one backing (only with `shared`). */
export type StateSuiteGroup = 'runs' | 'largeValues' | 'concurrentStores';

const FULL: EnrichmentLevel = { details: true, nodes: true, nodeData: true };
const NODES: EnrichmentLevel = { details: true, nodes: true, nodeData: false };
const DETAILS: EnrichmentLevel = { details: true, nodes: false, nodeData: false };

let counter = 0;
/** A name no other test (or earlier run on a shared backing) uses. */
const unique = (label: string) =>
  `${label}-${Date.now().toString(36)}-${(counter += 1)}-${Math.random().toString(36).slice(2, 8)}`;

function sampleRecord(runId: string, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    appId: 'app-1',
    logId: `log-${runId}`,
    runId,
    status: 'succeeded',
    workflowVersion: '2026-03-01 08:00:00.000000',
    triggeredFrom: 'app-run',
    createdFrom: 'service-api',
    createdByRole: 'end_user',
    endUserSessionId: 'session-1',
    accountEmail: null,
    loggedAt: '2026-03-02T08:35:12.000Z',
    createdAt: '2026-03-02T08:35:10.000Z',
    finishedAt: '2026-03-02T08:35:12.000Z',
    elapsedTime: 2.5,
    totalTokens: 120,
    totalSteps: 3,
    exceptionsCount: 0,
    error: null,
    inputs: { question: '退货政策是什么？ "quoted" \\ back\nslash 🚚' },
    outputs: { answer: 'Nul\u0000 and tab\t ✓' },
    nodes: [
      {
        id: 'n1',
        nodeId: 'llm',
        nodeType: 'llm',
        title: 'LLM “回答”',
        index: 1,
        predecessorNodeId: null,
        status: 'succeeded',
        error: null,
        elapsedTime: 1.2,
        totalTokens: 120,
        promptTokens: 100,
        completionTokens: 20,
        totalPrice: 0.0012,
        currency: 'USD',
        modelProvider: 'openai',
        modelName: 'gpt-4o',
        iterationId: null,
        iterationIndex: null,
        loopId: null,
        loopIndex: null,
        createdAt: '2026-03-02T08:35:10.500Z',
        finishedAt: '2026-03-02T08:35:11.700Z',
        inputs: { prompt: 'ça va? ' + 'x'.repeat(2000) },
        outputs: { text: 'oui' },
        processData: { usage: { total_tokens: 120 } },
      },
    ],
    enrichmentError: null,
    ...extra,
  };
}

/** A state with unicode and, when `size` is large, big maps (as a busy app's overlap and pending runs make them). */
function sampleState(size: number, tag = 'a'): AppState {
  const recent: Record<string, string> = {
    'log-ünïcode-✓': '2026-03-02T08:00:00.000Z',
    'log "quoted"\\': '2026-03-02T08:00:01.000Z',
  };
  for (let index = 0; index < size; index += 1)
    recent[`${tag}-log-${index}`] = new Date(Date.UTC(2026, 2, 2, 8, 0, index % 60)).toISOString();
  const pending: Record<string, string> = {
    [`run-${tag}-中文`]: JSON.stringify(sampleRecord(`run-${tag}-中文`, { status: 'running', finishedAt: null })),
  };
  for (let index = 0; index < Math.ceil(size / 50); index += 1)
    pending[`run-${tag}-${index}`] = JSON.stringify(sampleRecord(`run-${tag}-${index}`, { status: 'running' }));
  return { watermark: '2026-03-02T08:35:12.345Z', recent, pending };
}

/**
 * The StateStore contract as tests: empty reads, atomic commits that round-trip, isolation of jobs
 * and apps, documents, concurrent writers and, when the store has one, the finished-run cache.
 * `testStateStore({ name: 'postgres', create: () => postgresStateStore({ ... }), shared: true })`.
 */
export function testStateStore(runner: TestRunner, options: StateSuiteOptions): void {
  const { afterEach, describe, expect, it } = runner;
  const skip = options.skip ?? {};
  const test = (group: StateSuiteGroup, title: string, body: (context: RunnerTestContext) => Promise<void>) =>
    skip[group] ? it.skip(`${title} (skipped: ${skip[group]})`, body) : it(title, body);

  describe(`StateStore conformance: ${options.name}`, () => {
    let opened: StateStore[] = [];
    const open = async () => {
      const store = await options.create();
      opened.push(store);
      return store;
    };
    const pair = async (): Promise<[StateStore, StateStore]> => [await open(), await open()];
    /** The store's run cache; the test is skipped (visibly) when the store has none. */
    const runsOf = (store: StateStore, context: RunnerTestContext): RunCache =>
      store.runs ?? context.skip(`${options.name} has no run cache (runs)`);
    afterEach(async () => {
      const stores = opened;
      opened = [];
      for (const store of stores) await options.cleanup?.(store);
      for (const store of stores) await store.close?.();
    });

    it('reads an unknown job or app as a fresh empty state', async () => {
      const store = await open();
      const job = unique('job');
      await store.commit(job, 'known', sampleState(3));
      for (const [readJob, app] of [
        [unique('job'), 'app'],
        [job, unique('app')],
      ] as const) {
        const state = await store.read(readJob, app);
        expect(state).toEqual({ watermark: null, recent: {}, pending: {} });
        expect(state).not.toBe(EMPTY_APP_STATE);
        expect(Object.isFrozen(state)).toBe(false);
        state.recent['x'] = 'y';
        state.pending['p'] = '{}';
        state.watermark = '2026-01-01T00:00:00.000Z';
        expect(await store.read(readJob, app)).toEqual({ watermark: null, recent: {}, pending: {} });
      }
      expect(EMPTY_APP_STATE).toEqual({ watermark: null, recent: {}, pending: {} });
    });

    it('reads back what it committed, and the last commit wins', async () => {
      const store = await open();
      const job = unique('nightly');
      const state = sampleState(5);
      await store.commit(job, 'ticket-triage', state);
      const read = await store.read(job, 'ticket-triage');
      expect(read).toEqual(state);
      read.recent['changed'] = 'after read';
      expect(await store.read(job, 'ticket-triage')).toEqual(state);
      const next: AppState = {
        watermark: '2026-03-03T00:00:00.000Z',
        recent: { only: '2026-03-02T23:59:59.000Z' },
        pending: {},
      };
      await store.commit(job, 'ticket-triage', next);
      expect(await store.read(job, 'ticket-triage')).toEqual(next);
    });

    test('largeValues', 'round-trips large maps', async () => {
      const store = await open();
      const job = unique('nightly');
      const state = sampleState(5000, 'big');
      await store.commit(job, 'busy-app', state);
      const read = await store.read(job, 'busy-app');
      expect(Object.keys(read.recent)).toHaveLength(Object.keys(state.recent).length);
      expect(read).toEqual(state);
    });

    it('keeps jobs and apps apart, whatever characters their names hold', async () => {
      const store = await open();
      const job = unique('job');
      const names: Array<[string, string]> = [
        [job, 'app'],
        [job, 'app-2'],
        [`${job}-b`, 'app'],
        [`${job}:x`, 'y'],
        [job, 'x:y'],
        [`${job}/x`, 'y'],
        [job, 'x/y'],
        [job, '应用 ✓'],
      ];
      await Promise.all(
        names.map(([name, app], index) =>
          store.commit(name, app, {
            watermark: `2026-03-0${(index % 9) + 1}T00:00:00.000Z`,
            recent: { [`log-${index}`]: 't' },
            pending: {},
          }),
        ),
      );
      for (const [index, [name, app]] of names.entries()) {
        expect(await store.read(name, app), `${name} / ${app}`).toEqual({
          watermark: `2026-03-0${(index % 9) + 1}T00:00:00.000Z`,
          recent: { [`log-${index}`]: 't' },
          pending: {},
        });
      }
      expect((await store.read(`${job}:x:y`, '')).watermark).toBeNull();
    });

    it('reads an unknown document as undefined and replaces documents whole', async () => {
      const store = await open();
      const key = unique('alerts');
      expect(await store.readDocument(key)).toBeUndefined();
      const first = {
        active: { 'failure-rate': { since: '2026-03-02T08:00:00.000Z', value: 0.25 } },
        notes: ['ünïcode ✓', 'line\nbreak', 42, true, null],
      };
      await store.writeDocument(key, first);
      expect(await store.readDocument(key)).toEqual(first);
      await store.writeDocument(key, { active: {} });
      expect(await store.readDocument(key)).toEqual({ active: {} });
      for (const value of ['text', 7, [1, 'two'], false]) {
        await store.writeDocument(key, value);
        expect(await store.readDocument(key)).toEqual(value);
      }
      expect(await store.readDocument(`${key}-other`)).toBeUndefined();
    });

    if (options.shared) {
      it('shares commits and documents between two stores on one backing', async () => {
        const [first, second] = await pair();
        const job = unique('shared');
        await first.commit(job, 'app', sampleState(10));
        expect(await second.read(job, 'app')).toEqual(sampleState(10));
        await second.commit(job, 'app', { watermark: '2026-04-01T00:00:00.000Z', recent: {}, pending: {} });
        expect((await first.read(job, 'app')).watermark).toBe('2026-04-01T00:00:00.000Z');
        const key = unique('doc');
        await second.writeDocument(key, { from: 'second' });
        expect(await first.readDocument(key)).toEqual({ from: 'second' });
      });
    }

    /** The race tests: on one store, and through two stores on one backing when `shared`. */
    const races = (through: string, stores: () => Promise<[StateStore, StateStore]>) => {
      const title = (text: string) => `${text}${through}`;
      const run = through
        ? (text: string, body: () => Promise<void>) => test('concurrentStores', title(text), body)
        : (text: string, body: () => Promise<void>) => it(text, body);

      run('loses no commit when apps commit at once', async () => {
        const [first, second] = await stores();
        const job = unique('race');
        const apps = Array.from({ length: 24 }, (_, index) => `app-${index}`);
        const stateOf = (index: number, app: string): AppState => ({
          watermark: `2026-03-02T00:00:${String(index).padStart(2, '0')}.000Z`,
          recent: { [app]: 't' },
          pending: {},
        });
        await Promise.all(apps.map((app, index) => (index % 2 ? second : first).commit(job, app, stateOf(index, app))));
        for (const [index, app] of apps.entries()) expect(await first.read(job, app), app).toEqual(stateOf(index, app));
      });

      run('leaves one whole value when writers race on one key', async () => {
        const [first, second] = await stores();
        const key = unique('doc');
        const job = unique('race');
        const documents = Array.from({ length: 8 }, (_, writer) => ({
          writer,
          items: Array.from({ length: 500 }, (_, index) => `w${writer}-${index}`),
        }));
        const states = Array.from({ length: 8 }, (_, writer) => sampleState(200, `w${writer}`));
        await Promise.all([
          ...documents.map((document, index) => (index % 2 ? second : first).writeDocument(key, document)),
          ...states.map((state, index) => (index % 2 ? first : second).commit(job, 'app', state)),
        ]);
        expect(documents).toContainEqual(await first.readDocument(key));
        expect(states).toContainEqual(await second.read(job, 'app'));
      });
    };
    races('', async () => {
      const store = await open();
      return [store, store];
    });
    if (options.shared) races(' (through two stores)', async () => [await open(), await open()]);

    describe('finished-run cache (runs)', () => {
      test('runs', 'answers a run stored at the asked level or above, trimmed to the asked level', async (context) => {
        const runs = runsOf(await open(), context);
        const app = unique('app');
        const record = sampleRecord(unique('run'));
        await runs.put(app, record, FULL);
        expect(await runs.get(app, record.runId!, FULL)).toEqual(record);
        const withoutData = await runs.get(app, record.runId!, NODES);
        expect(withoutData?.nodes?.[0]).not.toHaveProperty('inputs');
        expect(withoutData?.nodes?.[0]).not.toHaveProperty('processData');
        expect(withoutData?.nodes?.[0]).toMatchObject({ title: 'LLM “回答”', totalTokens: 120 });
        expect(await runs.get(app, record.runId!, DETAILS)).toEqual({ ...record, nodes: null });
      });

      test('runs', 'misses a run stored with less than asked, in another app, or never stored', async (context) => {
        const runs = runsOf(await open(), context);
        const app = unique('app');
        const record = sampleRecord(unique('run'), { nodes: null });
        await runs.put(app, record, DETAILS);
        expect(await runs.get(app, record.runId!, DETAILS)).toEqual(record);
        expect(await runs.get(app, record.runId!, NODES)).toBeUndefined();
        expect(await runs.get(app, record.runId!, FULL)).toBeUndefined();
        expect(await runs.get(`${app}-other`, record.runId!, DETAILS)).toBeUndefined();
        expect(await runs.get(app, unique('never'), DETAILS)).toBeUndefined();
        const enriched = sampleRecord(record.runId!);
        await runs.put(app, enriched, FULL);
        expect(await runs.get(app, record.runId!, FULL)).toEqual(enriched);
      });

      test('runs', 'ignores a record without a run id', async (context) => {
        const runs = runsOf(await open(), context);
        await expect(runs.put(unique('app'), sampleRecord('x', { runId: null }), FULL)).resolves.toBeUndefined();
      });

      if (options.shared) {
        test('runs', 'shares cached runs between two stores on one backing', async (context) => {
          const stores = await pair();
          const [first, second] = [runsOf(stores[0], context), runsOf(stores[1], context)];
          const app = unique('app');
          const record = sampleRecord(unique('run'));
          await first.put(app, record, FULL);
          expect(await second.get(app, record.runId!, FULL)).toEqual(record);
        });
      }
    });
  });
}
