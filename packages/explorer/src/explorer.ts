import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createPrivacyPolicy, silentLogger, type DifyLogs, type Logger, type PrivacyOptions } from '@dify-logs/core';
import type { ArchivePartFormat } from '@dify-logs/core/archive';
import type { StorageAdapter } from '@dify-logs/core/adapter-kit';
import { openDatabase } from './index/database.js';
import { refreshIndex, type RefreshResult } from './index/load.js';
import { createRunReader } from './index/records.js';
import { serveSection, type ServeSection } from './plugin.js';
import { authenticator, type Credentials } from './server/auth.js';
import { pageRoute } from './pages/routes.js';
import { apiRoute, createExplorerServer, type Route } from './server/http.js';

export interface ExplorerOptions extends Credentials {
  /** The storage holding the archive (any adapter: local, S3, OSS). */
  storage: StorageAdapter;
  /** Formats that decode parts written without NDJSON (`parquetArchiveFormat()`). */
  formats?: ArchivePartFormat[];
  /** The privacy policy applied to every record before it is indexed (the `privacy` configuration section). */
  privacy?: PrivacyOptions;
  /** Default 127.0.0.1; any other address needs `token` or `basic`. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** The DuckDB file of the index, or `:memory:` (the default here; `serveExplorer` keeps a file). */
  indexFile?: string;
  /** Seconds between refreshes of the index (0 or absent: only at start and on `refresh()`). */
  refreshSeconds?: number;
  /**
   * Worker threads that unzip, parse and apply the privacy policy to the archive's runs while a large refresh (4,096
   * runs or more) appends them (default 0: all on the main thread; one did not pay on two busy cores).
   */
  indexWorkers?: number;
  /** DuckDB's memory cap (default `96MB`: the index's tables are small, 250 bytes a run). */
  memoryLimit?: string;
  logger?: Logger;
  /** More routes (the pages), tried after the API. */
  routes?: (context: { reader: import('@duckdb/node-api').DuckDBConnection }) => Route[];
}

export interface Explorer {
  /** `http://host:port` as listening. */
  readonly url: string;
  /** Loads new and replaced partitions now (one refresh at a time: a call during one waits for it, then runs). */
  refresh(): Promise<RefreshResult>;
  /** Stops the timer and the server, and closes the index. */
  close(): Promise<void>;
}

/**
 * Indexes the archive (new and replaced partitions only, on every refresh) and serves the JSON API and pages over it.
 * Resolves once the first index is built and the server listens.
 */
export async function createExplorer(options: ExplorerOptions): Promise<Explorer> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? silentLogger;
  const authenticate = authenticator(host, options);
  const database = await openDatabase(options.indexFile ?? ':memory:', {
    ...(options.memoryLimit ? { memoryLimit: options.memoryLimit } : {}),
  });
  const source = {
    storage: options.storage,
    privacy: createPrivacyPolicy(options.privacy),
    privacyOptions: options.privacy ?? {},
    ...(options.indexWorkers !== undefined ? { workers: options.indexWorkers } : {}),
    logger,
    ...(options.formats ? { formats: options.formats } : {}),
  };
  const runs = createRunReader(source);
  let running: Promise<RefreshResult> = Promise.resolve({
    loaded: 0,
    removed: 0,
    runs: 0,
    messages: 0,
    conversations: 0,
    seconds: 0,
  });
  const refresh = () => (running = running.catch(() => undefined).then(() => refreshIndex(database, source)));
  let timer: NodeJS.Timeout | undefined;
  try {
    await refresh();
  } catch (error) {
    database.close();
    throw error;
  }
  const server = createExplorerServer({
    routes: [
      apiRoute(database.reader, runs),
      pageRoute(database.reader, runs),
      ...(options.routes?.({ reader: database.reader }) ?? []),
    ],
    authenticate,
    basicRealm: Boolean(options.basic),
    logger,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8080, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    database.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  if (options.refreshSeconds && options.refreshSeconds > 0) {
    timer = setInterval(() => {
      refresh().catch((error: unknown) => logger.error({ err: error }, 'explorer index refresh failed'));
    }, options.refreshSeconds * 1000);
    timer.unref();
  }
  let closed: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}`,
    refresh,
    close: () =>
      (closed ??= (async () => {
        if (timer) clearInterval(timer);
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await running.catch(() => undefined);
        database.close();
      })()),
  };
}

/** What `serveExplorer` takes over the `serve` section (the CLI's flags). */
export type ServeOverrides = Partial<Pick<ExplorerOptions, 'host' | 'port' | 'indexFile' | 'refreshSeconds'>> &
  Pick<ExplorerOptions, 'routes' | 'memoryLimit'>;

/** The `serve` section of a runtime's configuration (validated by the plugin; defaults when it is not registered). */
export function serveConfig(runtime: Pick<DifyLogs, 'config'>): ServeSection {
  const section = (runtime.config as unknown as Record<string, unknown>).serve;
  return serveSection.parse(section ?? {});
}

/**
 * The explorer of a runtime: its storage, archive formats and privacy policy, and the `serve` section (host, port,
 * token or basic credentials, index file, refresh period), with `overrides` over the section.
 */
export async function serveExplorer(runtime: DifyLogs, overrides: ServeOverrides = {}): Promise<Explorer> {
  const section = serveConfig(runtime);
  const baseDir = runtime.pluginContext().baseDir;
  return createExplorer({
    storage: await runtime.storage(),
    formats: await runtime.archiveFormats(),
    privacy: runtime.config.privacy,
    host: overrides.host ?? section.host,
    port: overrides.port ?? section.port,
    indexFile: overrides.indexFile ?? section.indexFile ?? join(baseDir, '.dify-logs-explorer.duckdb'),
    refreshSeconds: overrides.refreshSeconds ?? section.refreshSeconds,
    logger: runtime.logger.child({ service: 'explorer' }),
    ...(section.token ? { token: section.token } : {}),
    ...(section.basic ? { basic: section.basic } : {}),
    ...(overrides.routes ? { routes: overrides.routes } : {}),
    ...(overrides.memoryLimit ? { memoryLimit: overrides.memoryLimit } : {}),
  });
}
