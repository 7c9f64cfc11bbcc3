import type { DuckDBValue } from '@duckdb/node-api';
import type { Parameters } from './params.js';

/** The filters runs are listed and counted by: `WHERE` text with `$n` placeholders and their values. */
export interface RunFilter {
  app?: string[];
  status?: string[];
  /** Words that must all appear in a run's errors, inputs or outputs (case-insensitive). */
  q?: string;
  /** Runs that started at or after `from` and before `to` (ISO times). */
  from?: string;
  to?: string;
  endUser?: string;
  minCost?: number;
  minElapsed?: number;
}

export const FILTER_PARAMETERS = ['app', 'status', 'q', 'from', 'to', 'endUser', 'minCost', 'minElapsed'] as const;

export function readFilter(parameters: Parameters): RunFilter {
  const filter: RunFilter = {};
  const app = parameters.list('app');
  const status = parameters.list('status');
  const q = parameters.text('q');
  const from = parameters.time('from');
  const to = parameters.time('to', true);
  const endUser = parameters.text('endUser');
  const minCost = parameters.number('minCost', 0);
  const minElapsed = parameters.number('minElapsed', 0);
  if (app) filter.app = app;
  if (status) filter.status = status;
  if (q) filter.q = q;
  if (from) filter.from = from;
  if (to) filter.to = to;
  if (endUser) filter.endUser = endUser;
  if (minCost !== undefined) filter.minCost = minCost;
  if (minElapsed !== undefined) filter.minElapsed = minElapsed;
  return filter;
}

/** Builds `WHERE` conditions over the columns of `runs` (prefixed with `alias.` when given). */
export class Where {
  readonly conditions: string[] = [];
  readonly values: DuckDBValue[] = [];

  constructor(private readonly alias = '') {}

  value(value: DuckDBValue): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  column(name: string): string {
    return this.alias ? `${this.alias}.${name}` : name;
  }

  add(condition: string): void {
    this.conditions.push(condition);
  }

  get sql(): string {
    return this.conditions.length > 0 ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }

  filter(filter: RunFilter): this {
    const list = (column: string, values: string[] | undefined) => {
      if (values) this.add(`${this.column(column)} IN (${values.map((value) => this.value(value)).join(', ')})`);
    };
    list('app_id', filter.app);
    list('status', filter.status);
    if (filter.from) this.add(`${this.column('created_at')} >= ${this.value(filter.from)}`);
    if (filter.to) this.add(`${this.column('created_at')} < ${this.value(filter.to)}`);
    if (filter.endUser) this.add(`${this.column('end_user')} = ${this.value(filter.endUser)}`);
    if (filter.minCost !== undefined) this.add(`${this.column('cost')} >= ${this.value(filter.minCost)}`);
    if (filter.minElapsed !== undefined) this.add(`${this.column('elapsed')} >= ${this.value(filter.minElapsed)}`);
    for (const word of (filter.q ?? '').toLowerCase().split(/\s+/).filter(Boolean))
      this.add(`contains(${this.column('search')}, ${this.value(word)})`);
    return this;
  }
}
