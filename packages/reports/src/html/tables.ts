import {
  consoleLogsUrl,
  explorerLinks,
  type AppAnalysis,
  type EndUserAnalysis,
  type ErrorGroup,
  type ModelAnalysis,
  type Money,
  type NodeAnalysis,
  type PausedRun,
  type ReportAnalysis,
  type SlowRun,
  type TokenMismatch,
} from '@dify-logs/core/pipeline';
import { escapeHtml } from './escape.js';
import {
  NOT_AVAILABLE,
  formatInteger,
  formatMoney,
  formatPercent,
  formatSeconds,
  formatTime,
  mainCurrency,
} from './format.js';
import { type Column, type Html, renderTable, trusted } from './table.js';

interface TableContext {
  analysis: ReportAnalysis;
  maxRows: number;
  /** Money columns sort by this currency (the report's main one). */
  currency: string | null;
}

/** A link to the app's logs in the Dify console (http(s) only), or the text alone. */
function consoleLink(analysis: ReportAnalysis, appId: string, text: string, title?: string): Html {
  const url = consoleLogsUrl(analysis.consoleUrl, appId);
  if (url !== null) return anchor(url, text, title);
  return trusted(`<span${title ? ` title="${escapeHtml(title)}"` : ''}>${escapeHtml(text)}</span>`);
}

const runText = (runId: string | null) => runId ?? '(lost run)';

/** An anchor to `url` (one `explorerLinks` or `consoleLogsUrl` made), the text escaped. */
function anchor(url: string, text: string, title?: string): Html {
  const titleAttribute = title ? ` title="${escapeHtml(title)}"` : '';
  return trusted(
    `<a href="${escapeHtml(url)}" rel="noopener noreferrer" target="_blank"${titleAttribute}>${escapeHtml(text)}</a>`,
  );
}

/** A run: its page in the run explorer when one is configured, else the app's logs in the Dify console. */
function runLink(analysis: ReportAnalysis, appId: string, runId: string | null, title?: string): Html {
  const explorer = explorerLinks(analysis.explorerUrl);
  if (explorer && runId !== null) return anchor(explorer.run(runId), runId, title);
  return consoleLink(analysis, appId, runText(runId), title);
}
const rate = (part: number, whole: number) => (whole > 0 ? part / whole : null);

function columns(context: TableContext) {
  const { analysis, currency } = context;
  const time = <Row>(header: string, value: (row: Row) => string): Column<Row> => ({
    header,
    cell: (row) => formatTime(value(row), analysis.window.timezone),
    sort: value,
  });
  const seconds = <Row>(header: string, value: (row: Row) => number | null): Column<Row> => ({
    header,
    numeric: true,
    cell: (row) => formatSeconds(value(row)),
    sort: value,
  });
  const percent = <Row>(header: string, value: (row: Row) => number | null): Column<Row> => ({
    header,
    numeric: true,
    cell: (row) => formatPercent(value(row)),
    sort: value,
  });
  const count = <Row>(header: string, value: (row: Row) => number): Column<Row> => ({
    header,
    numeric: true,
    cell: value,
  });
  const money = <Row>(header: string, value: (row: Row) => Money): Column<Row> => ({
    header,
    numeric: true,
    cell: (row) => formatMoney(value(row)),
    sort: (row) => (currency === null ? null : (value(row)[currency] ?? 0)),
  });
  return { time, seconds, percent, count, money };
}

function appsTable(context: TableContext): string {
  const { analysis } = context;
  const { seconds, percent, count, money } = columns(context);
  return renderTable<AppAnalysis>({
    id: 'table-apps',
    title: 'Apps',
    rows: analysis.apps,
    maxRows: context.maxRows,
    empty: 'No app had runs in this period.',
    columns: [
      { header: 'App', cell: (app) => consoleLink(analysis, app.appId, app.appId), className: 'mono' },
      count('Runs', (app) => app.runs),
      count('Succeeded', (app) => app.byStatus.succeeded ?? 0),
      count('Failed', (app) => app.byStatus.failed ?? 0),
      percent('Success rate', (app) => app.successRate),
      seconds('p50', (app) => app.latency.p50),
      seconds('p95', (app) => app.latency.p95),
      count('Tokens', (app) => app.tokens),
      money('Cost', (app) => app.cost),
      count('Enrichment failures', (app) => app.enrichmentFailures),
      count('Lost runs', (app) => app.lostRuns),
    ],
  });
}

function modelsTable(context: TableContext): string {
  const { seconds, count, money } = columns(context);
  return renderTable<ModelAnalysis>({
    id: 'table-models',
    title: 'Models',
    rows: context.analysis.models,
    maxRows: context.maxRows,
    empty: 'No node used a model in this period.',
    columns: [
      { header: 'Model', cell: (model) => model.model, className: 'mono' },
      { header: 'Provider', cell: (model) => model.provider ?? NOT_AVAILABLE },
      count('Calls', (model) => model.calls),
      count('Tokens', (model) => model.tokens),
      count('Prompt', (model) => model.promptTokens),
      count('Completion', (model) => model.completionTokens),
      money('Cost', (model) => model.cost),
      seconds('p50', (model) => model.latency.p50),
      seconds('p95', (model) => model.latency.p95),
    ],
  });
}

function nodesTable(context: TableContext): string {
  const { seconds, percent, count, money } = columns(context);
  return renderTable<NodeAnalysis>({
    id: 'table-nodes',
    title: 'Nodes',
    rows: context.analysis.nodes,
    maxRows: context.maxRows,
    empty: 'No node executions were fetched in this period.',
    columns: [
      { header: 'Node', cell: (node) => node.title, className: 'wrap' },
      { header: 'Type', cell: (node) => node.type },
      count('Executions', (node) => node.executions),
      count('Failed', (node) => node.failed),
      percent('Failure rate', (node) => rate(node.failed, node.executions)),
      seconds('p50', (node) => node.latency.p50),
      seconds('p95', (node) => node.latency.p95),
      seconds('p99', (node) => node.latency.p99),
      count('Tokens', (node) => node.tokens),
      money('Cost', (node) => node.cost),
    ],
  });
}

function sampleRuns(analysis: ReportAnalysis, error: ErrorGroup): Html {
  const links = error.samples.map(
    (sample) => runLink(analysis, sample.appId, sample.runId, `App ${sample.appId}`).html,
  );
  return trusted(
    links.length === 0 ? '' : `<ul class="samples">${links.map((link) => `<li>${link}</li>`).join('')}</ul>`,
  );
}

function errorsTable(context: TableContext): string {
  const { analysis } = context;
  const { time, count } = columns(context);
  const explorer = explorerLinks(analysis.explorerUrl);
  const period = { from: analysis.window.from, to: analysis.window.to };
  return renderTable<ErrorGroup>({
    id: 'table-errors',
    title: 'Errors',
    rows: analysis.errors,
    maxRows: context.maxRows,
    empty: 'No errors in this period.',
    note:
      analysis.otherErrors > 0
        ? `And ${formatInteger(analysis.otherErrors)} more errors of other kinds, not grouped.`
        : undefined,
    columns: [
      count('Count', (error) => error.count),
      { header: 'Signature', cell: (error) => error.signature, className: 'mono' },
      { header: 'Example', cell: (error) => error.example, className: 'wrap' },
      { header: 'Node', cell: (error) => error.node ?? '(run)' },
      time('First seen', (error) => error.firstSeen),
      time('Last seen', (error) => error.lastSeen),
      { header: 'Sample runs', cell: (error) => sampleRuns(analysis, error), sort: (error) => error.samples.length },
      ...(explorer
        ? [
            {
              header: 'Explore',
              cell: (error: ErrorGroup) =>
                anchor(explorer.errors({ ...period, signature: error.signature }), 'all runs', error.signature),
            },
          ]
        : []),
    ],
  });
}

function endUsersTable(context: TableContext): string {
  const { percent, count, money } = columns(context);
  return renderTable<EndUserAnalysis>({
    id: 'table-end-users',
    title: 'End users',
    rows: context.analysis.endUsers,
    maxRows: context.maxRows,
    empty: 'No end users in this period.',
    columns: [
      { header: 'User', cell: (user) => user.user, className: 'mono' },
      count('Runs', (user) => user.runs),
      count('Failed', (user) => user.failed),
      percent('Failure rate', (user) => rate(user.failed, user.runs)),
      count('Tokens', (user) => user.tokens),
      money('Cost', (user) => user.cost),
    ],
  });
}

function slowestRunsTable(context: TableContext): string {
  const { analysis } = context;
  const { time, seconds } = columns(context);
  return renderTable<SlowRun>({
    id: 'table-slowest-runs',
    title: 'Slowest runs',
    rows: analysis.slowestRuns,
    maxRows: context.maxRows,
    empty: 'No finished runs in this period.',
    columns: [
      seconds('Run time', (run) => run.seconds),
      { header: 'App', cell: (run) => run.appId, className: 'mono' },
      { header: 'Run', cell: (run) => runLink(analysis, run.appId, run.runId), className: 'mono' },
      { header: 'Status', cell: (run) => run.status ?? NOT_AVAILABLE },
      time('Started', (run) => run.createdAt),
    ],
  });
}

function tokenMismatchesTable(context: TableContext): string {
  const { analysis } = context;
  const { count } = columns(context);
  return renderTable<TokenMismatch>({
    id: 'table-token-mismatches',
    title: 'Token mismatches',
    note:
      'Runs whose total as Dify stated it differs from the sum ' +
      'over their nodes (Dify undercounts iterations and agents).',
    rows: analysis.tokenMismatches,
    maxRows: context.maxRows,
    empty: 'Every run’s stated token total matched its nodes.',
    columns: [
      { header: 'App', cell: (mismatch) => mismatch.appId, className: 'mono' },
      {
        header: 'Run',
        cell: (mismatch) => runLink(analysis, mismatch.appId, mismatch.runId),
        className: 'mono',
      },
      count('Stated', (mismatch) => mismatch.stated),
      count('Recomputed', (mismatch) => mismatch.recomputed),
      count('Difference', (mismatch) => mismatch.recomputed - mismatch.stated),
    ],
  });
}

/** Paused runs and where they wait (Dify >= 1.13); no table at all when the report has none. */
function pausedRunsTable(context: TableContext): string {
  const { analysis } = context;
  if (!analysis.pausedRuns?.length) return '';
  const { time } = columns(context);
  return renderTable<PausedRun>({
    id: 'table-paused-runs',
    title: 'Paused runs',
    note: 'Runs waiting for a person (a Human Input form) or another reason Dify gives.',
    rows: analysis.pausedRuns,
    maxRows: context.maxRows,
    empty: 'No paused runs.',
    columns: [
      { header: 'App', cell: (run) => run.appId, className: 'mono' },
      { header: 'Run', cell: (run) => runLink(analysis, run.appId, run.runId), className: 'mono' },
      time('Started', (run) => run.createdAt),
      {
        header: 'Paused at',
        cell: (run) => (run.pausedAt ? formatTime(run.pausedAt, analysis.window.timezone) : NOT_AVAILABLE),
      },
      {
        header: 'Waits at',
        cell: (run) =>
          run.nodes
            .map(
              (node) =>
                `${node.nodeTitle ?? node.nodeId} (` +
                `${node.type === 'human_input' ? `form ${node.formId ?? NOT_AVAILABLE}` : node.type})`,
            )
            .join('; ') || NOT_AVAILABLE,
        className: 'wrap',
      },
    ],
  });
}

function failedAppsTable(context: Pick<TableContext, 'analysis' | 'maxRows'>): string {
  return renderTable<{ appId: string; error: string }>({
    id: 'table-failed-apps',
    title: 'Apps that could not be read',
    rows: context.analysis.failedApps,
    maxRows: context.maxRows,
    empty: 'Every app was read.',
    columns: [
      { header: 'App', cell: (failed) => failed.appId, className: 'mono' },
      { header: 'Error', cell: (failed) => failed.error, className: 'wrap' },
    ],
  });
}

/** The report's tables, in page order. */
export function renderTables(analysis: ReportAnalysis, maxRows: number): string {
  const context: TableContext = { analysis, maxRows, currency: mainCurrency(analysis.cost) };
  return [
    appsTable,
    modelsTable,
    nodesTable,
    errorsTable,
    endUsersTable,
    slowestRunsTable,
    tokenMismatchesTable,
    pausedRunsTable,
    failedAppsTable,
  ]
    .map((table) => table(context))
    .filter(Boolean)
    .join('\n');
}

/** The apps whose logs could not be read; shown even when the period had no runs. */
export function renderFailedApps(analysis: ReportAnalysis, maxRows: number): string {
  return failedAppsTable({ analysis, maxRows });
}
