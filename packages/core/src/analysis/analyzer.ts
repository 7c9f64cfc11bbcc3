import type { NodeRecord, RunRecord } from '../records/schema.js';
import { startOfDayIn } from '../time/window.js';
import { AppGroup, CappedMap, ErrorTally, ModelGroup, NodeGroup, StatusTally, UserGroup } from './groups.js';
import { Latency } from './latency.js';
import { addMoney, MoneySum } from './money.js';
import { createPricer, type PriceTable, type Pricer } from './prices.js';
import { errorSignature } from './signature.js';
import type { Money, ReportAnalysis, SlowRun, TimeBucket, TokenMismatch } from './types.js';

export interface AnalyzerOptions {
  job: string;
  runId: string;
  window: { from: string; to: string; timezone: string };
  /** Default: when `result()` is called. */
  generatedAt?: string;
  /** Base URL of the Dify console, for links to runs. */
  consoleUrl?: string | null;
  /** Public address of the run explorer (`serve.publicUrl`), for links to its pages (see `explorerLinks`). */
  explorerUrl?: string | null;
  /** Prices overriding Dify's (see PriceRule). */
  prices?: PriceTable;
}

/** Node types that contain other nodes: their token totals repeat their children's. */
const CONTAINERS = new Set(['iteration', 'loop']);
const FAILED_NODE = new Set(['failed', 'exception']);
const LIMITS = {
  nodes: 2000,
  models: 500,
  users: 10_000,
  errors: 1000,
  keys: 1000,
  mismatches: 20,
  slowest: 10,
  errorsShown: 100,
  usersShown: 50,
};
const HOUR = 3_600_000;

export interface Analyzer {
  add(record: RunRecord): void;
  /** An app with no runs still appears (an empty period is a result). */
  touch(appId: string): void;
  failApp(appId: string, error: string): void;
  /** What the fetch kept despite malformed fields (`salvaged` records) and could not keep (`droppedRows`). */
  noteFetch(counts: { salvaged: number; droppedRows: number }): void;
  /** Folds another analyzer's records in (same options): equal to having added them here. */
  merge(other: Analyzer): void;
  result(): ReportAnalysis;
}

/**
 * Analyses a period's records in one streaming pass: memory depends on the number of distinct apps,
 * nodes, models, users and error signatures (each capped), never on the number of runs. Percentiles
 * come from DDSketches; two analyzers over two parts of a stream merge into the analyzer of the whole.
 */
export function createAnalyzer(options: AnalyzerOptions): Analyzer {
  const pricer = createPricer(options.prices);
  return new StreamingAnalyzer(options, pricer);
}

/** Exported for `snapshot.ts` only (not from the package). */
export class StreamingAnalyzer implements Analyzer {
  status = new StatusTally();
  latency = new Latency();
  tokens = { stated: 0, effective: 0, promptTokens: 0, completionTokens: 0, mismatchedRuns: 0 };
  cost = new MoneySum();
  hours = new Map<number, TimeBucket>();
  byTrigger = new CappedMap<{ n: number }>(LIMITS.keys);
  byVersion = new CappedMap<{ n: number }>(LIMITS.keys);
  apps = new Map<string, AppGroup>();
  models = new CappedMap<ModelGroup>(LIMITS.models);
  nodes = new CappedMap<NodeGroup>(LIMITS.nodes);
  users = new CappedMap<UserGroup>(LIMITS.users);
  errors = new CappedMap<ErrorTally>(LIMITS.errors);
  mismatches: TokenMismatch[] = [];
  slowest: SlowRun[] = [];
  enrichmentFailures = 0;
  lostRuns = 0;
  salvaged = 0;
  droppedRows = 0;
  failedApps: ReportAnalysis['failedApps'] = [];

  constructor(
    readonly options: AnalyzerOptions,
    private readonly pricer: Pricer,
  ) {}

  private app(appId: string): AppGroup {
    let group = this.apps.get(appId);
    if (!group) {
      group = new AppGroup();
      this.apps.set(appId, group);
    }
    return group;
  }

  touch(appId: string): void {
    this.app(appId);
  }

  /** What the fetch kept despite malformed fields (`salvaged` records) and could not keep (`droppedRows`). */
  noteFetch(counts: { salvaged: number; droppedRows: number }): void {
    this.salvaged += counts.salvaged;
    this.droppedRows += counts.droppedRows;
  }

  failApp(appId: string, error: string): void {
    this.app(appId);
    this.failedApps.push({ appId, error });
  }

  add(record: RunRecord): void {
    const app = this.app(record.appId);
    const status = record.status ?? 'lost';
    const failed = status === 'failed';
    this.status.add(status);
    app.status.add(status);
    if (record.enrichmentError) {
      this.enrichmentFailures += 1;
      app.enrichmentFailures += 1;
    }
    if (!record.runId) {
      this.lostRuns += 1;
      app.lostRuns += 1;
    }
    count(this.byTrigger, record.triggeredFrom ?? 'unknown');
    count(this.byVersion, record.workflowVersion ?? 'unknown');

    if (record.finishedAt !== null && record.elapsedTime !== null) {
      this.latency.add(record.elapsedTime);
      app.latency.add(record.elapsedTime);
      this.noteSlow({
        appId: record.appId,
        runId: record.runId,
        status: record.status,
        seconds: record.elapsedTime,
        createdAt: record.createdAt,
      });
    }

    // Tokens and cost: from the nodes when they were fetched (Dify's run total misses iterations and agents).
    const stated = record.totalTokens ?? 0;
    let effective = stated;
    let runCost: Money | undefined;
    let failedNode: NodeRecord | undefined;
    if (record.nodes && record.nodes.length > 0) {
      let recomputed = 0;
      for (const node of record.nodes) {
        if (!failedNode && FAILED_NODE.has(node.status) && node.error) failedNode = node;
        const price = this.pricer.price(node);
        if (price) addMoney((runCost ??= {}), price[0], price[1]);
        this.addNode(node, price);
        if (!CONTAINERS.has(node.nodeType)) {
          recomputed += node.totalTokens;
          this.tokens.promptTokens += node.promptTokens ?? 0;
          this.tokens.completionTokens += node.completionTokens ?? 0;
        }
      }
      if (recomputed !== stated && record.totalTokens !== null) {
        this.tokens.mismatchedRuns += 1;
        if (this.mismatches.length < LIMITS.mismatches)
          this.mismatches.push({ appId: record.appId, runId: record.runId, stated, recomputed });
      }
      effective = Math.max(stated, recomputed);
    }
    this.tokens.stated += stated;
    this.tokens.effective += effective;
    app.tokens += effective;
    if (runCost) {
      this.cost.addMoney(runCost);
      app.cost.addMoney(runCost);
    }

    const hourStart = Math.floor(Date.parse(record.createdAt) / HOUR) * HOUR;
    let bucket = this.hours.get(hourStart);
    if (!bucket) {
      bucket = { start: new Date(hourStart).toISOString(), runs: 0, failed: 0, tokens: 0 };
      this.hours.set(hourStart, bucket);
    }
    bucket.runs += 1;
    if (failed) bucket.failed += 1;
    bucket.tokens += effective;

    const user = this.users.get(record.endUserSessionId ?? record.accountEmail ?? '(anonymous)', () => new UserGroup());
    if (user) {
      user.runs += 1;
      if (failed) user.failed += 1;
      user.tokens += effective;
      if (runCost) user.cost.addMoney(runCost);
    }

    const message = failedNode?.error ?? record.error;
    if (message) {
      const node = failedNode ? (failedNode.title ?? failedNode.nodeId) : null;
      const signature = errorSignature(message);
      const group = this.errors.get(
        `${node ?? ''}\u0000${signature}`,
        () => new ErrorTally(signature, message.length > 500 ? `${message.slice(0, 499)}…` : message, node),
      );
      group?.add(record.loggedAt, record.appId, record.runId);
    }
  }

  private addNode(node: NodeRecord, price: readonly [string, number] | null): void {
    const title = node.title ?? node.nodeId;
    const group = this.nodes.get(`${title}\u0000${node.nodeType}`, () => new NodeGroup(title, node.nodeType));
    if (group) {
      group.executions += 1;
      if (FAILED_NODE.has(node.status)) group.failed += 1;
      if (node.elapsedTime !== null) group.latency.add(node.elapsedTime);
      group.tokens += node.totalTokens;
      if (price) group.cost.add(price[0], price[1]);
    }
    if (node.modelName) {
      const model = this.models.get(
        `${node.modelProvider ?? ''}\u0000${node.modelName}`,
        () => new ModelGroup(node.modelProvider, node.modelName!),
      );
      if (model) {
        model.calls += 1;
        model.tokens += node.totalTokens;
        model.promptTokens += node.promptTokens ?? 0;
        model.completionTokens += node.completionTokens ?? 0;
        if (price) model.cost.add(price[0], price[1]);
        if (node.elapsedTime !== null) model.latency.add(node.elapsedTime);
      }
    }
  }

  private noteSlow(run: SlowRun): void {
    const list = this.slowest;
    if (list.length === LIMITS.slowest && compareSlow(run, list[list.length - 1]!) >= 0) return;
    list.push(run);
    list.sort(compareSlow);
    if (list.length > LIMITS.slowest) list.pop();
  }

  merge(otherAnalyzer: Analyzer): void {
    if (!(otherAnalyzer instanceof StreamingAnalyzer))
      throw new TypeError('can only merge analyzers made by createAnalyzer');
    const other = otherAnalyzer;
    this.status.merge(other.status);
    this.latency.merge(other.latency);
    for (const key of Object.keys(this.tokens) as Array<keyof StreamingAnalyzer['tokens']>)
      this.tokens[key] += other.tokens[key];
    this.cost.merge(other.cost);
    for (const [start, bucket] of other.hours) {
      const mine = this.hours.get(start);
      if (!mine) this.hours.set(start, { ...bucket });
      else {
        mine.runs += bucket.runs;
        mine.failed += bucket.failed;
        mine.tokens += bucket.tokens;
      }
    }
    mergeCapped(
      this.byTrigger,
      other.byTrigger,
      () => ({ n: 0 }),
      (mine, theirs) => (mine.n += theirs.n),
      (theirs) => theirs.n,
    );
    mergeCapped(
      this.byVersion,
      other.byVersion,
      () => ({ n: 0 }),
      (mine, theirs) => (mine.n += theirs.n),
      (theirs) => theirs.n,
    );
    for (const [appId, group] of other.apps) this.app(appId).merge(group);
    mergeCapped(
      this.models,
      other.models,
      (theirs) => new ModelGroup(theirs.provider, theirs.model),
      (mine, theirs) => mine.merge(theirs),
      (theirs) => theirs.calls,
    );
    mergeCapped(
      this.nodes,
      other.nodes,
      (theirs) => new NodeGroup(theirs.title, theirs.type),
      (mine, theirs) => mine.merge(theirs),
      (theirs) => theirs.executions,
    );
    mergeCapped(
      this.users,
      other.users,
      () => new UserGroup(),
      (mine, theirs) => mine.merge(theirs),
      (theirs) => theirs.runs,
    );
    mergeCapped(
      this.errors,
      other.errors,
      (theirs) => new ErrorTally(theirs.signature, theirs.example, theirs.node),
      (mine, theirs) => mine.merge(theirs),
      (theirs) => theirs.count,
    );
    for (const mismatch of other.mismatches)
      if (this.mismatches.length < LIMITS.mismatches) this.mismatches.push(mismatch);
    for (const run of other.slowest) this.noteSlow(run);
    this.enrichmentFailures += other.enrichmentFailures;
    this.lostRuns += other.lostRuns;
    this.salvaged += other.salvaged;
    this.droppedRows += other.droppedRows;
    this.failedApps.push(...other.failedApps);
  }

  result(): ReportAnalysis {
    const { options } = this;
    const perHour = [...this.hours.entries()].sort((a, b) => a[0] - b[0]).map(([, bucket]) => ({ ...bucket }));
    const days = new Map<number, TimeBucket>();
    for (const hour of perHour) {
      const dayStart = startOfDayIn(new Date(hour.start), options.window.timezone).getTime();
      const day = days.get(dayStart) ?? { start: new Date(dayStart).toISOString(), runs: 0, failed: 0, tokens: 0 };
      day.runs += hour.runs;
      day.failed += hour.failed;
      day.tokens += hour.tokens;
      days.set(dayStart, day);
    }
    const errors = [...this.errors.entries.values()]
      .map((group) => group.result())
      .sort(
        (a, b) =>
          b.count - a.count || a.signature.localeCompare(b.signature) || (a.node ?? '').localeCompare(b.node ?? ''),
      );
    const shownErrors = errors.slice(0, LIMITS.errorsShown);
    return {
      schemaVersion: 1,
      job: options.job,
      runId: options.runId,
      window: { ...options.window },
      generatedAt: options.generatedAt ?? new Date().toISOString(),
      consoleUrl: options.consoleUrl ?? null,
      ...(options.explorerUrl ? { explorerUrl: options.explorerUrl } : {}),
      ...this.status.counts(),
      latency: this.latency.stats(),
      tokens: { ...this.tokens },
      cost: this.cost.result(),
      perHour,
      perDay: [...days.values()],
      byTrigger: tally(this.byTrigger),
      byVersion: tally(this.byVersion),
      apps: [...this.apps.entries()].map(([appId, group]) => group.result(appId)),
      models: [...this.models.entries.values()]
        .map((group) => group.result())
        .sort((a, b) => b.tokens - a.tokens || b.calls - a.calls || a.model.localeCompare(b.model)),
      nodes: [...this.nodes.entries.values()]
        .map((group) => group.result())
        .sort((a, b) => b.executions - a.executions || a.title.localeCompare(b.title) || a.type.localeCompare(b.type)),
      endUsers: [...this.users.entries.entries()]
        .map(([user, group]) => group.result(user))
        .sort((a, b) => b.runs - a.runs || a.user.localeCompare(b.user))
        .slice(0, LIMITS.usersShown),
      errors: shownErrors,
      otherErrors: errors.slice(LIMITS.errorsShown).reduce((sum, group) => sum + group.count, 0) + this.errors.overflow,
      tokenMismatches: [...this.mismatches],
      slowestRuns: this.slowest.map((run) => ({ ...run })),
      enrichmentFailures: this.enrichmentFailures,
      lostRuns: this.lostRuns,
      salvaged: this.salvaged,
      droppedRows: this.droppedRows,
      failedApps: [...this.failedApps],
      comparison: null,
    };
  }
}

function count(map: CappedMap<{ n: number }>, key: string): void {
  const entry = map.get(key, () => ({ n: 0 }));
  if (entry) entry.n += 1;
}

function tally(map: CappedMap<{ n: number }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of map.entries) out[key] = value.n;
  if (map.overflow > 0) out['(other)'] = map.overflow;
  return out;
}

function mergeCapped<V>(
  mine: CappedMap<V>,
  theirs: CappedMap<V>,
  make: (theirs: V) => V,
  fold: (mine: V, theirs: V) => void,
  weight: (theirs: V) => number,
): void {
  for (const [key, value] of theirs.entries) {
    const target =
      mine.entries.get(key) ?? (mine.entries.size < mine.limit ? mine.get(key, () => make(value)) : undefined);
    if (target) fold(target, value);
    else mine.overflow += weight(value);
  }
  mine.overflow += theirs.overflow;
}

function compareSlow(a: SlowRun, b: SlowRun): number {
  return (
    b.seconds - a.seconds || (a.runId ?? '').localeCompare(b.runId ?? '') || a.createdAt.localeCompare(b.createdAt)
  );
}
