import { StreamingAnalyzer, type Analyzer, type AnalyzerOptions } from './analyzer.js';
import { AppGroup, CappedMap, ErrorTally, ModelGroup, NodeGroup, StatusTally, UserGroup } from './groups.js';
import { Latency, type LatencyState } from './latency.js';
import { MoneySum, type MoneySumState } from './money.js';
import { createPricer } from './prices.js';
import type { ReportAnalysis, SlowRun, TimeBucket, TokenMismatch } from './types.js';

/**
 * An analyzer's whole state as plain data (numbers, strings, arrays): what a worker thread posts back
 * so the main thread can merge it (`restoreAnalyzer`, then `merge`). Not a stable format: only for
 * threads of one process.
 */
export interface AnalyzerSnapshot {
  status: StatusState;
  latency: LatencyState | null;
  tokens: StreamingAnalyzer['tokens'];
  cost: MoneySumState;
  hours: TimeBucket[];
  byTrigger: CappedState<number>;
  byVersion: CappedState<number>;
  apps: Array<[string, AppState]>;
  models: CappedState<ModelState>;
  nodes: CappedState<NodeState>;
  users: CappedState<UserState>;
  errors: CappedState<ErrorState>;
  mismatches: TokenMismatch[];
  slowest: SlowRun[];
  enrichmentFailures: number;
  lostRuns: number;
  salvaged: number;
  droppedRows: number;
  failedApps: ReportAnalysis['failedApps'];
}

interface StatusState {
  runs: number;
  byStatus: Array<[string, number]>;
}
interface CappedState<S> {
  entries: Array<[string, S]>;
  overflow: number;
}
interface AppState {
  status: StatusState;
  latency: LatencyState | null;
  tokens: number;
  cost: MoneySumState;
  enrichmentFailures: number;
  lostRuns: number;
}
interface ModelState {
  provider: string | null;
  model: string;
  calls: number;
  tokens: number;
  promptTokens: number;
  completionTokens: number;
  cost: MoneySumState;
  latency: LatencyState | null;
}
interface NodeState {
  title: string;
  type: string;
  executions: number;
  failed: number;
  latency: LatencyState | null;
  tokens: number;
  cost: MoneySumState;
}
interface UserState {
  runs: number;
  failed: number;
  tokens: number;
  cost: MoneySumState;
}
interface ErrorState {
  signature: string;
  example: string;
  node: string | null;
  count: number;
  firstSeen: string;
  lastSeen: string;
  samples: ErrorTally['samples'];
}

/** The state of an analyzer made by `createAnalyzer`, as plain data (see AnalyzerSnapshot). */
export function snapshotAnalyzer(analyzer: Analyzer): AnalyzerSnapshot {
  if (!(analyzer instanceof StreamingAnalyzer))
    throw new TypeError('can only snapshot analyzers made by createAnalyzer');
  const a = analyzer;
  return {
    status: statusState(a.status),
    latency: a.latency.toState(),
    tokens: { ...a.tokens },
    cost: a.cost.toState(),
    hours: [...a.hours.values()].map((bucket) => ({ ...bucket })),
    byTrigger: cappedState(a.byTrigger, (entry) => entry.n),
    byVersion: cappedState(a.byVersion, (entry) => entry.n),
    apps: [...a.apps].map(([appId, app]) => [
      appId,
      {
        status: statusState(app.status),
        latency: app.latency.toState(),
        tokens: app.tokens,
        cost: app.cost.toState(),
        enrichmentFailures: app.enrichmentFailures,
        lostRuns: app.lostRuns,
      },
    ]),
    models: cappedState(a.models, (m) => ({
      provider: m.provider,
      model: m.model,
      calls: m.calls,
      tokens: m.tokens,
      promptTokens: m.promptTokens,
      completionTokens: m.completionTokens,
      cost: m.cost.toState(),
      latency: m.latency.toState(),
    })),
    nodes: cappedState(a.nodes, (n) => ({
      title: n.title,
      type: n.type,
      executions: n.executions,
      failed: n.failed,
      latency: n.latency.toState(),
      tokens: n.tokens,
      cost: n.cost.toState(),
    })),
    users: cappedState(a.users, (u) => ({ runs: u.runs, failed: u.failed, tokens: u.tokens, cost: u.cost.toState() })),
    errors: cappedState(a.errors, (e) => ({
      signature: e.signature,
      example: e.example,
      node: e.node,
      count: e.count,
      firstSeen: e.firstSeen,
      lastSeen: e.lastSeen,
      samples: e.samples.map((sample) => ({ ...sample })),
    })),
    mismatches: a.mismatches.map((mismatch) => ({ ...mismatch })),
    slowest: a.slowest.map((run) => ({ ...run })),
    enrichmentFailures: a.enrichmentFailures,
    lostRuns: a.lostRuns,
    salvaged: a.salvaged,
    droppedRows: a.droppedRows,
    failedApps: a.failedApps.map((failed) => ({ ...failed })),
  };
}

/** An analyzer with `options` holding the state of `snapshot`: merge it into another to combine shards. */
export function restoreAnalyzer(options: AnalyzerOptions, snapshot: AnalyzerSnapshot): Analyzer {
  const a = new StreamingAnalyzer(options, createPricer(options.prices));
  const s = snapshot;
  a.status = restoreStatus(s.status);
  a.latency = Latency.fromState(s.latency);
  a.tokens = { ...s.tokens };
  a.cost = MoneySum.fromState(s.cost);
  for (const bucket of s.hours) a.hours.set(Date.parse(bucket.start), { ...bucket });
  restoreCapped(a.byTrigger, s.byTrigger, (n) => ({ n }));
  restoreCapped(a.byVersion, s.byVersion, (n) => ({ n }));
  for (const [appId, state] of s.apps) {
    const app = new AppGroup();
    app.status = restoreStatus(state.status);
    app.latency = Latency.fromState(state.latency);
    app.tokens = state.tokens;
    app.cost = MoneySum.fromState(state.cost);
    app.enrichmentFailures = state.enrichmentFailures;
    app.lostRuns = state.lostRuns;
    a.apps.set(appId, app);
  }
  restoreCapped(a.models, s.models, (state) =>
    Object.assign(new ModelGroup(state.provider, state.model), {
      calls: state.calls,
      tokens: state.tokens,
      promptTokens: state.promptTokens,
      completionTokens: state.completionTokens,
      cost: MoneySum.fromState(state.cost),
      latency: Latency.fromState(state.latency),
    }),
  );
  restoreCapped(a.nodes, s.nodes, (state) =>
    Object.assign(new NodeGroup(state.title, state.type), {
      executions: state.executions,
      failed: state.failed,
      latency: Latency.fromState(state.latency),
      tokens: state.tokens,
      cost: MoneySum.fromState(state.cost),
    }),
  );
  restoreCapped(a.users, s.users, (state) =>
    Object.assign(new UserGroup(), {
      runs: state.runs,
      failed: state.failed,
      tokens: state.tokens,
      cost: MoneySum.fromState(state.cost),
    }),
  );
  restoreCapped(a.errors, s.errors, (state) =>
    Object.assign(new ErrorTally(state.signature, state.example, state.node), {
      count: state.count,
      firstSeen: state.firstSeen,
      lastSeen: state.lastSeen,
      samples: state.samples.map((sample) => ({ ...sample })),
    }),
  );
  a.mismatches = s.mismatches.map((mismatch) => ({ ...mismatch }));
  a.slowest = s.slowest.map((run) => ({ ...run }));
  a.enrichmentFailures = s.enrichmentFailures;
  a.lostRuns = s.lostRuns;
  a.salvaged = s.salvaged;
  a.droppedRows = s.droppedRows;
  a.failedApps = s.failedApps.map((failed) => ({ ...failed }));
  return a;
}

function statusState(status: StatusTally): StatusState {
  return { runs: status.runs, byStatus: Object.entries(status.byStatus) };
}

function restoreStatus(state: StatusState): StatusTally {
  const status = new StatusTally();
  status.runs = state.runs;
  for (const [name, count] of state.byStatus) status.byStatus[name] = count;
  return status;
}

function cappedState<V, S>(map: CappedMap<V>, save: (value: V) => S): CappedState<S> {
  return { entries: [...map.entries].map(([key, value]) => [key, save(value)]), overflow: map.overflow };
}

function restoreCapped<V, S>(map: CappedMap<V>, state: CappedState<S>, make: (state: S) => V): void {
  for (const [key, value] of state.entries) map.entries.set(key, make(value));
  map.overflow = state.overflow;
}
