import { TERMINAL_RUN_STATUSES } from '../records/schema.js';
import { Latency } from './latency.js';
import { MoneySum } from './money.js';
import type { AppAnalysis, EndUserAnalysis, ErrorGroup, ModelAnalysis, NodeAnalysis, StatusCounts } from './types.js';

const TERMINAL = new Set<string>(TERMINAL_RUN_STATUSES);

/** Runs by status, mergeable. */
export class StatusTally {
  runs = 0;
  byStatus: Record<string, number> = {};

  add(status: string): void {
    this.runs += 1;
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
  }

  merge(other: StatusTally): void {
    this.runs += other.runs;
    for (const [status, count] of Object.entries(other.byStatus))
      this.byStatus[status] = (this.byStatus[status] ?? 0) + count;
  }

  counts(): StatusCounts {
    let finished = 0;
    for (const [status, count] of Object.entries(this.byStatus)) if (TERMINAL.has(status)) finished += count;
    return {
      runs: this.runs,
      byStatus: { ...this.byStatus },
      successRate: finished === 0 ? null : (this.byStatus.succeeded ?? 0) / finished,
    };
  }
}

/**
 * A map that keeps at most `limit` keys; what arrives for other keys is counted in `overflow`. Merging
 * two capped maps equals feeding both streams into one as long as the union stays under the limit.
 */
export class CappedMap<V> {
  readonly entries = new Map<string, V>();
  overflow = 0;

  constructor(readonly limit: number) {}

  /** The entry for `key`, created with `make` while there is room; undefined when full. */
  get(key: string, make: () => V): V | undefined {
    let value = this.entries.get(key);
    if (value === undefined) {
      if (this.entries.size >= this.limit) {
        this.overflow += 1;
        return undefined;
      }
      value = make();
      this.entries.set(key, value);
    }
    return value;
  }
}

export class AppGroup {
  status = new StatusTally();
  latency = new Latency();
  tokens = 0;
  cost = new MoneySum();
  enrichmentFailures = 0;
  lostRuns = 0;

  merge(other: AppGroup): void {
    this.status.merge(other.status);
    this.latency.merge(other.latency);
    this.tokens += other.tokens;
    this.cost.merge(other.cost);
    this.enrichmentFailures += other.enrichmentFailures;
    this.lostRuns += other.lostRuns;
  }

  result(appId: string): AppAnalysis {
    return {
      appId,
      ...this.status.counts(),
      latency: this.latency.stats(),
      tokens: this.tokens,
      cost: this.cost.result(),
      enrichmentFailures: this.enrichmentFailures,
      lostRuns: this.lostRuns,
    };
  }
}

export class ModelGroup {
  calls = 0;
  tokens = 0;
  promptTokens = 0;
  completionTokens = 0;
  cost = new MoneySum();
  latency = new Latency();

  constructor(
    readonly provider: string | null,
    readonly model: string,
  ) {}

  merge(other: ModelGroup): void {
    this.calls += other.calls;
    this.tokens += other.tokens;
    this.promptTokens += other.promptTokens;
    this.completionTokens += other.completionTokens;
    this.cost.merge(other.cost);
    this.latency.merge(other.latency);
  }

  result(): ModelAnalysis {
    const { provider, model, calls, tokens, promptTokens, completionTokens } = this;
    return {
      provider,
      model,
      calls,
      tokens,
      promptTokens,
      completionTokens,
      cost: this.cost.result(),
      latency: this.latency.stats(),
    };
  }
}

export class NodeGroup {
  executions = 0;
  failed = 0;
  latency = new Latency();
  tokens = 0;
  cost = new MoneySum();

  constructor(
    readonly title: string,
    readonly type: string,
  ) {}

  merge(other: NodeGroup): void {
    this.executions += other.executions;
    this.failed += other.failed;
    this.latency.merge(other.latency);
    this.tokens += other.tokens;
    this.cost.merge(other.cost);
  }

  result(): NodeAnalysis {
    return {
      title: this.title,
      type: this.type,
      executions: this.executions,
      failed: this.failed,
      latency: this.latency.stats(),
      tokens: this.tokens,
      cost: this.cost.result(),
    };
  }
}

export class UserGroup {
  runs = 0;
  failed = 0;
  tokens = 0;
  cost = new MoneySum();

  merge(other: UserGroup): void {
    this.runs += other.runs;
    this.failed += other.failed;
    this.tokens += other.tokens;
    this.cost.merge(other.cost);
  }

  result(user: string): EndUserAnalysis {
    return { user, runs: this.runs, failed: this.failed, tokens: this.tokens, cost: this.cost.result() };
  }
}

const MAX_SAMPLES = 5;

export class ErrorTally {
  count = 0;
  firstSeen = '';
  lastSeen = '';
  samples: ErrorGroup['samples'] = [];

  constructor(
    readonly signature: string,
    readonly example: string,
    readonly node: string | null,
  ) {}

  add(at: string, appId: string, runId: string | null): void {
    this.count += 1;
    if (this.firstSeen === '' || at < this.firstSeen) this.firstSeen = at;
    if (at > this.lastSeen) this.lastSeen = at;
    if (this.samples.length < MAX_SAMPLES) this.samples.push({ appId, runId });
  }

  merge(other: ErrorTally): void {
    this.count += other.count;
    if (this.firstSeen === '' || (other.firstSeen !== '' && other.firstSeen < this.firstSeen))
      this.firstSeen = other.firstSeen;
    if (other.lastSeen > this.lastSeen) this.lastSeen = other.lastSeen;
    for (const sample of other.samples) if (this.samples.length < MAX_SAMPLES) this.samples.push(sample);
  }

  result(): ErrorGroup {
    return {
      signature: this.signature,
      example: this.example,
      node: this.node,
      count: this.count,
      firstSeen: this.firstSeen,
      lastSeen: this.lastSeen,
      samples: [...this.samples],
    };
  }
}
