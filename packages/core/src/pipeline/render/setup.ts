import type { Reporter } from '../../adapters/reporter.js';
import type { AnalyzerOptions } from '../../analysis/analyzer.js';
import { compareAnalyses } from '../../analysis/compare.js';
import type { ReportAnalysis } from '../../analysis/types.js';
import { DifyConfigError } from '../../errors/config-error.js';
import { createPrivacyPolicy } from '../../privacy/policy.js';
import type { RenderReportsOptions } from './types.js';
import { defaultReporters } from '../reporters.js';

/** What every path of `renderReports` shares: the reporters, the ids, the analyzer's options, the last touches. */
export interface ReportSetup {
  options: RenderReportsOptions;
  reporters: Record<string, Reporter>;
  runId: string;
  /** The report window until the records are read: the explicit one, or now. */
  provisional: { from: string; to: string; timezone: string };
  analyzerOptions: AnalyzerOptions;
  /** The analysis with its window (from the first to the last record unless explicit), privacy and comparison. */
  finish(analysis: ReportAnalysis, first: string | null, last: string | null): ReportAnalysis;
}

/** Checks the formats and derives what the paths share. */
export function reportSetup(options: RenderReportsOptions): ReportSetup {
  const reporters = { ...defaultReporters, ...options.reporters };
  for (const format of options.formats)
    if (!reporters[format])
      throw new DifyConfigError(
        'formats',
        `no reporter for format ${JSON.stringify(format)} (have ${Object.keys(reporters).join(', ')})`,
      );
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1))
    throw new DifyConfigError('threads', `expected a whole number of at least 1, got ${String(options.threads)}`);
  const now = options.now?.() ?? new Date();
  const timezone = options.timezone ?? 'UTC';
  const runId = options.runId ?? `report-${now.toISOString().replace(/[-:.]/g, '')}`;
  const provisional = {
    from: options.window?.from ?? now.toISOString(),
    to: options.window?.to ?? now.toISOString(),
    timezone,
  };
  const analyzerOptions: AnalyzerOptions = {
    job: options.job,
    runId,
    window: provisional,
    generatedAt: now.toISOString(),
    consoleUrl: options.consoleUrl ?? null,
    ...(options.explorerUrl ? { explorerUrl: options.explorerUrl } : {}),
    ...(options.prices ? { prices: options.prices } : {}),
  };
  const statement = createPrivacyPolicy(options.privacy).statement;
  return {
    options,
    reporters,
    runId,
    provisional,
    analyzerOptions,
    finish(analysis, first, last) {
      if (!options.window) analysis.window = { from: first ?? provisional.from, to: last ?? provisional.to, timezone };
      analysis.privacy = statement;
      if (options.previous) analysis.comparison = compareAnalyses(analysis, options.previous, options.anomalies);
      return analysis;
    },
  };
}
