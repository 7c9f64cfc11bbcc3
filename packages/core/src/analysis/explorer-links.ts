import type { ReportAnalysis } from './types.js';

/**
 * Links to the pages of the run explorer (`dify-logs serve`, `@dify-logs/explorer`) under the public address operators
 * open (`serve.publicUrl`): a run, a filtered run list, the error signatures, the overview. Reports and alert
 * messages carry them when the address is configured.
 */
export interface ExplorerLinks {
  /** `/runs/:runId`: the run with its inputs, outputs and node waterfall. */
  run(runId: string): string;
  /** `/runs?app=&status=&from=&to=`: the list, filtered. */
  runs(filter?: ExplorerFilter): string;
  /** `/errors?app=&from=&to=&signature=`: error signatures with counts and sample runs (one signature: that one). */
  errors(filter?: ExplorerFilter & { signature?: string }): string;
  /** `/?app=&from=&to=`: runs, failure rate, p95 and cost per day and app. */
  overview(filter?: ExplorerFilter): string;
}

export interface ExplorerFilter {
  app?: string;
  status?: string;
  /** ISO times. */
  from?: string;
  to?: string;
}

/**
 * The explorer's links under `publicUrl`, or null when it is not an http(s) address. Credentials, query and fragment of
 * the address are dropped; every value is URL-encoded (parentheses too, so a link is safe in Markdown).
 */
export function explorerLinks(publicUrl: string | null | undefined): ExplorerLinks | null {
  const base = linkRoot(publicUrl);
  if (base === null) return null;
  const root = base.href.replace(/\/+$/, '');
  const page = (path: string, query: Record<string, string | undefined> = {}) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(key, value);
    const text = search.toString();
    return `${root}${path}${text ? `?${text}` : ''}`.replace(/\(/g, '%28').replace(/\)/g, '%29');
  };
  const filter = (value: ExplorerFilter = {}) => ({
    app: value.app,
    status: value.status,
    from: value.from,
    to: value.to,
  });
  return {
    run: (runId) => page(`/runs/${encodeURIComponent(runId)}`),
    runs: (value) => page('/runs', filter(value)),
    errors: (value) => page('/errors', { ...filter(value), signature: value?.signature }),
    overview: (value) => page('/', filter(value)),
  };
}

/**
 * The Dify console page with the logs of an app (`{consoleUrl}/app/{appId}/logs`), or null when the console address is
 * unknown or not http(s). Credentials, query and fragment of the address are dropped, the app id is URL-encoded.
 */
export function consoleLogsUrl(consoleUrl: string | null | undefined, appId: string): string | null {
  const url = linkRoot(consoleUrl);
  if (url === null) return null;
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/app/${encodeURIComponent(appId)}/logs`;
  return url.href;
}

/** An http(s) address to link under, without credentials, query and fragment; null for anything else. */
function linkRoot(address: string | null | undefined): URL | null {
  if (!address) return null;
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return url;
}

/**
 * The explorer links a notification about `analysis` carries (none when no explorer address is configured): the
 * period's overview, and what the message is about — its failed runs, its error signatures or its run list.
 */
export function explorerMessageLinks(
  analysis: Pick<ReportAnalysis, 'explorerUrl' | 'window' | 'byStatus'>,
  focus: 'report' | 'failures' | 'errors' | 'runs',
): Array<{ label: string; url: string }> {
  const links = explorerLinks(analysis.explorerUrl);
  if (!links) return [];
  const window = { from: analysis.window.from, to: analysis.window.to };
  const out = [{ label: 'explorer', url: links.overview(window) }];
  if (focus === 'errors') out.push({ label: 'errors', url: links.errors(window) });
  else if (focus === 'runs') out.push({ label: 'runs', url: links.runs(window) });
  else if (focus === 'failures' || (analysis.byStatus.failed ?? 0) > 0)
    out.push({ label: 'failed runs', url: links.runs({ ...window, status: 'failed' }) });
  return out;
}
