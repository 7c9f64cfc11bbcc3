import {
  FETCH_DEFAULTS,
  createPrivacyPolicy,
  createDifyClient,
  exportRuns,
  type DifyClient,
  type ExportProgress,
  type Workspace,
} from '@dify-logs/core/client';
import type { Command } from 'commander';
import {
  addConnectionOptions,
  positiveInteger,
  resolveConnection,
  type ConnectionFlags,
} from '../support/connection.js';
import { EXIT, UsageError } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';
import { createCliLogger } from '../support/logger.js';
import { createProgress } from '../support/progress.js';
import { openRecordSink, parseFormat } from '../support/record-sink.js';

export interface ExportFlags extends ConnectionFlags {
  keyword?: string;
  status?: string;
  endUser?: string;
  account?: string;
  createdAfter?: string;
  createdBefore?: string;
  withDetails?: boolean;
  withNodeExecutions?: boolean;
  includeNodeData?: boolean;
  maxPages?: string;
  pageSize: string;
  concurrency: string;
  format: string;
  out?: string;
  logLevel?: string;
  privacy?: string;
}

export function registerExport(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const command = program
    .command('export')
    .description(
      'write every workflow run log of an app (or of every workflow app, with console access) as RunRecords',
    );
  addConnectionOptions(command)
    .option('--keyword <text>', 'Dify keyword filter (first 30 characters)')
    .option(
      '--status <status>',
      'succeeded | failed | stopped (console also: partial-succeeded, running, paused, scheduled)',
    )
    .option('--end-user <session>', 'only runs of this end-user session id')
    .option('--account <email>', 'only runs started by this workspace account')
    .option('--created-after <iso>', 'inclusive start of the window (UTC unless an offset is given)')
    .option('--created-before <iso>', 'inclusive end of the window (default: now)')
    .option('--with-details', 'fetch run detail: inputs, outputs, error (the default)')
    .option('--no-with-details', 'list runs only, without their detail')
    .option('--with-node-executions', 'fetch per-node executions (console access needed)')
    .option('--include-node-data', 'keep node inputs/outputs/process data (large)')
    .option('--max-pages <n>', 'stop after this many list requests per app')
    .option('--page-size <n>', 'log items per list request, 1-100', '100')
    .option(
      '--concurrency <n>',
      'runs enriched at once, under the adaptive request limit',
      String(FETCH_DEFAULTS.concurrency),
    )
    .option('--format <format>', 'ndjson | json', 'ndjson')
    .option('--out <file>', 'output file, or - for stdout')
    .option('--log-level <level>', 'fatal | error | warn | info | debug | trace | silent [env LOG_LEVEL]')
    .option(
      '--privacy <action>',
      'personal data in the records: mask (default) | hash (HMAC with PRIVACY_KEY) | drop | off [env PRIVACY_ACTION]',
    )
    .action(async (flags: ExportFlags) => setExit(await runExport(flags, io)));
}

export async function runExport(flags: ExportFlags, io: CliIo): Promise<number> {
  if (!flags.out) throw new UsageError('missing --out <file> (use - for stdout)');
  const format = parseFormat(flags.format);
  const privacy = privacyOf(flags.privacy ?? io.env.PRIVACY_ACTION, io.env.PRIVACY_KEY);
  const pageSize = positiveInteger('--page-size', flags.pageSize, 1, 100);
  const concurrency = positiveInteger('--concurrency', flags.concurrency, 1, 256);
  const maxPages = flags.maxPages === undefined ? undefined : positiveInteger('--max-pages', flags.maxPages);
  for (const [flag, value] of [
    ['--created-after', flags.createdAfter],
    ['--created-before', flags.createdBefore],
  ] as const) {
    if (value !== undefined && Number.isNaN(Date.parse(value)))
      throw new UsageError(`${flag} is not an ISO-8601 date: ${JSON.stringify(value)}`);
  }
  const logger = createCliLogger(io, flags.logLevel);
  const client = createDifyClient(resolveConnection(flags, io.env, logger));
  if (flags.withNodeExecutions && !client.hasConsole) {
    throw new UsageError(
      '--with-node-executions needs console access (--console-email/--console-password ' +
        'or --admin-key): the Service API has no node endpoint',
    );
  }
  const { apps, workspace } = await appsToExport(client);
  const sink = await openRecordSink(flags.out, format, io);
  const progress = createProgress(io);
  const started = Date.now();
  const totals = {
    runs: 0,
    enrichmentFailures: 0,
    lostRuns: 0,
    unfinished: 0,
    salvaged: 0,
    droppedRows: 0,
    failedApps: [] as string[],
  };
  try {
    for (const appId of apps) {
      let last: ExportProgress | undefined;
      try {
        const records = exportRuns(client, {
          appId,
          keyword: flags.keyword,
          status: flags.status,
          endUserSessionId: flags.endUser,
          accountEmail: flags.account,
          createdAfter: flags.createdAfter,
          createdBefore: flags.createdBefore,
          withDetails: flags.withDetails ?? FETCH_DEFAULTS.withDetails,
          withNodeExecutions: flags.withNodeExecutions ?? FETCH_DEFAULTS.withNodeExecutions,
          includeNodeData: flags.includeNodeData ?? FETCH_DEFAULTS.includeNodeData,
          limit: pageSize,
          concurrency,
          maxPages,
          logger,
          redact: privacy.run,
          onProgress: (current) => {
            last = current;
            progress.update(current, appId);
          },
        });
        for await (const record of records) await sink.write(record);
      } catch (error) {
        if (apps.length === 1) throw error;
        totals.failedApps.push(appId);
        logger.error(
          { appId, err: client.scrub((error as Error).message) },
          'app export failed; going on with the other apps',
        );
      }
      if (last) {
        totals.runs += last.exported;
        totals.enrichmentFailures += last.enrichmentFailures;
        totals.lostRuns += last.lostRuns;
        totals.unfinished += last.unfinished;
        totals.salvaged += last.salvaged;
        totals.droppedRows += last.droppedRows;
      }
      logger.info({ appId, ...last }, 'app exported');
    }
    if (totals.failedApps.length === apps.length && apps.length > 0)
      throw new Error(`every app failed: ${totals.failedApps.join(', ')}`);
    await sink.commit();
  } catch (error) {
    progress.done();
    await sink.abort();
    throw error;
  } finally {
    await client.close();
  }
  progress.done();
  const seconds = (Date.now() - started) / 1000;
  const stats = client.stats();
  io.stderr.write(
    `exported ${totals.runs} runs from ${apps.length} app(s)` +
      `${workspace ? ` of workspace ${workspace.name ?? workspace.id} (${workspace.id})` : ''}` +
      ` to ${sink.location} in ${seconds.toFixed(1)} s ` +
      `(${stats.requests} requests, ${stats.retries} retries; enrichment failures ${totals.enrichmentFailures}, ` +
      `lost runs ${totals.lostRuns}, unfinished ${totals.unfinished}, salvaged ` +
      `${totals.salvaged}, dropped rows ${totals.droppedRows}` +
      `${totals.failedApps.length ? `, failed apps ${totals.failedApps.join(', ')}` : ''})\n`,
  );
  return totals.enrichmentFailures > 0 || totals.droppedRows > 0 || totals.failedApps.length > 0
    ? EXIT.partial
    : EXIT.ok;
}

/**
 * The given app, or, with console access and no app id, every workflow app of the account's current workspace
 * (Dify keeps it per account, a browser may switch it: checked before and after listing, and named).
 */
async function appsToExport(client: DifyClient): Promise<{ apps: string[]; workspace: Workspace | null }> {
  if (client.appId) return { apps: [client.appId], workspace: null };
  const workspace = await client.workspace();
  const apps: string[] = [];
  for await (const app of client.apps({ mode: 'workflow' })) apps.push(app.id);
  if (workspace) await client.workspace({ expected: workspace.id });
  if (apps.length === 0) throw new UsageError('the workspace has no workflow apps to export (give --app-id?)');
  return { apps, workspace };
}

/** The privacy policy of `--privacy` (default mask, every detector): records leave with personal data protected. */
function privacyOf(action: string | undefined, key: string | undefined) {
  const chosen = (action ?? 'mask').toLowerCase();
  if (!['mask', 'hash', 'drop', 'off'].includes(chosen))
    throw new UsageError(`--privacy: expected mask, hash, drop or off, got ${JSON.stringify(action)}`);
  if (chosen === 'hash' && !key) throw new UsageError('--privacy hash needs the HMAC key in PRIVACY_KEY');
  return createPrivacyPolicy(
    chosen === 'off' ? { enabled: false } : { action: chosen as 'mask' | 'hash' | 'drop', ...(key ? { key } : {}) },
  );
}
