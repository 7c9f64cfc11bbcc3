import type { PluginContext } from '@dify-logs/core/adapter-kit';
import { configValues, definePlugin, z } from '@dify-logs/core/adapter-kit';

const { nonEmpty, secretText, wholeNumber, httpUrl } = configValues;

/** The `serve` section: where the run explorer listens, who may read it, where its index lives. */
export const serveSection = z.strictObject({
  /** Any address but loopback needs `token` or `basic`. */
  host: nonEmpty.default('127.0.0.1'),
  /** 0: any free port. */
  port: wholeNumber(0, 65_535).default(8080),
  /** The address operators open (behind a proxy): reports and alerts link to it. */
  publicUrl: httpUrl.optional(),
  /** A bearer token (`Authorization: Bearer <token>`). */
  token: secretText.optional(),
  /** Basic credentials. */
  basic: z.strictObject({ user: nonEmpty, password: secretText }).optional(),
  /** The DuckDB index file (default `<storage.baseDir>/.dify-logs-explorer.duckdb`); `:memory:` keeps it in memory. */
  indexFile: nonEmpty.optional(),
  /** Seconds between looks for new or replaced archive partitions (0: only at start). */
  refreshSeconds: wholeNumber(0).default(60),
});

export type ServeSection = z.output<typeof serveSection>;

/**
 * The run explorer (`dify-logs serve`): owns the `serve` section. `create` gives the section back as validated;
 * `serveExplorer(runtime)` from `@dify-logs/explorer` starts the server.
 */
export const plugin = definePlugin({
  kind: 'service',
  type: 'serve',
  description: 'the run explorer: a read-only web UI and JSON API over the archive',
  schema: serveSection,
  env: [
    { name: 'DIFY_LOGS_SERVE_TOKEN', key: 'serve.token', description: 'bearer token of `dify-logs serve`' },
    { name: 'DIFY_LOGS_SERVE_PUBLIC_URL', key: 'serve.publicUrl', description: 'public address of the explorer' },
  ],
  explorerUrl: (section: ServeSection) => section.publicUrl,
  create(section: ServeSection, _context: PluginContext) {
    return section;
  },
});
