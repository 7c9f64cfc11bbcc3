import { DEFAULT_RETRIES } from '../export/defaults.js';
import { z } from 'zod';
import { JobsSchema } from './job-schema.js';
import { caseInsensitiveEnum, decimal, flag, httpUrl, listOf, nonEmpty, wholeNumber } from './values.js';

const secretText = z.string().min(1);

const DifySchema = z
  .strictObject({
    /** Dify's address, e.g. `https://dify.example.com`. */
    baseUrl: httpUrl,
    /** Service API key (`app-…`) of `appId`. */
    apiKey: secretText.optional(),
    appId: nonEmpty.optional(),
    /** Console login: every app of the workspace, node executions too. */
    console: z
      .strictObject({
        email: nonEmpty,
        password: secretText,
        passwordEncoding: z.enum(['auto', 'base64', 'plain']).optional(),
        /** Log out when done (default false): Dify's logout deletes the account's latest refresh token, whoever holds it. */
        logoutOnClose: flag.optional(),
        /**
         * The workspace to read. Dify keeps the current workspace per account (a browser switching it moves every
         * session): each run switches back to this one before listing apps. Without it, the current one is read and named.
         */
        workspaceId: nonEmpty.optional(),
      })
      .optional(),
    /** Self-hosted admin key acting as the owner of one workspace. */
    admin: z.strictObject({ apiKey: secretText, workspaceId: nonEmpty }).optional(),
    /** Skip the version probe and assume this Dify release. */
    serverVersion: nonEmpty.optional(),
    timeoutMs: wholeNumber(1).default(30_000),
    retries: wholeNumber(0, 100).default(DEFAULT_RETRIES),
    /** Requests to Dify at once: adapted to what Dify takes (429/503/timeouts, rising latency), up to `max`. */
    requestLimit: z
      .strictObject({
        max: wholeNumber(1, 1024).optional(),
        /** false: always `max` at once. */
        adaptive: flag.optional(),
        /** At most this many requests start per second. */
        maxRequestsPerSecond: decimal(0.001).optional(),
      })
      .optional(),
    /** The time zone the console reads conversation filters in (default: the account's profile time zone). */
    consoleTimezone: nonEmpty.optional(),
    /** The Service API's address when not at baseUrl (Dify's SERVICE_API_URL; Dify Cloud: https://api.dify.ai). */
    serviceApiUrl: httpUrl.optional(),
    /** The Console API's address when not at baseUrl (Dify's CONSOLE_API_URL). */
    consoleApiUrl: httpUrl.optional(),
  })
  .superRefine((dify, context) => {
    if (dify.console && dify.admin) context.addIssue({ code: 'custom', path: ['admin'], message: 'give either dify.console or dify.admin, not both' });
  });

const AppSchema = z.strictObject({
  id: nonEmpty,
  /** The app's own Service API key. */
  apiKey: secretText.optional(),
  name: z.string().optional(),
});

const AppsSchema = z.array(AppSchema).superRefine((apps, context) => {
  const seen = new Map<string, number>();
  apps.forEach((app, index) => {
    const first = seen.get(app.id);
    if (first !== undefined) context.addIssue({ code: 'custom', path: [index, 'id'], message: `${JSON.stringify(app.id)} is already listed as apps.${first}` });
    else seen.set(app.id, index);
  });
});

const StorageSchema = z.strictObject({
  type: z.enum(['local', 's3', 'oss']).default('local'),
  baseDir: nonEmpty.default('./outputs'),
  retentionDays: wholeNumber(1).optional(),
  /** Formats each archive part is also written in, beside gzip NDJSON (`parquet`: `@dify-logs/parquet`). */
  archiveFormats: listOf(z.enum(['parquet'])).optional(),
  /** `false`: archive parts only in `archiveFormats` (the first is the part), without gzip NDJSON. */
  archiveNdjson: z.boolean().default(true),
  /** `@dify-logs/storage-s3`; without keys the AWS SDK's default chain (AWS_* variables, profiles, roles) is used. */
  s3: z
    .strictObject({
      bucket: nonEmpty,
      prefix: nonEmpty.optional(),
      region: nonEmpty.optional(),
      endpoint: httpUrl.optional(),
      forcePathStyle: flag.optional(),
      accessKeyId: nonEmpty.optional(),
      secretAccessKey: secretText.optional(),
      sessionToken: secretText.optional(),
    })
    .optional(),
  /** `@dify-logs/storage-oss`. */
  oss: z
    .strictObject({
      endpoint: nonEmpty.optional(),
      region: nonEmpty.optional(),
      accessKeyId: nonEmpty,
      accessKeySecret: secretText,
      stsToken: secretText.optional(),
      bucket: nonEmpty,
      prefix: nonEmpty.optional(),
    })
    .optional(),
}).superRefine((storage, context) => {
  if (!storage.archiveNdjson && !storage.archiveFormats?.length) context.addIssue({ code: 'custom', path: ['archiveNdjson'], message: 'false needs another archive format: set storage.archiveFormats (e.g. [parquet])' });
});

export const NOTIFIER_TYPES = ['console', 'email', 'dingtalk', 'wecom', 'feishu', 'slack', 'webhook'] as const;

const webhookUrl = secretText;

const NotificationSchema = z.strictObject({
  enabled: flag.default(false),
  type: listOf(z.enum(NOTIFIER_TYPES)).default(['console']),
  email: z
    .strictObject({
      host: nonEmpty,
      port: wholeNumber(1, 65_535).default(587),
      user: nonEmpty.optional(),
      password: secretText.optional(),
      from: nonEmpty.optional(),
      to: listOf(nonEmpty, 1),
    })
    .optional(),
  dingtalk: z.strictObject({ webhook: webhookUrl, secret: secretText.optional() }).optional(),
  wecom: z.strictObject({ webhook: webhookUrl }).optional(),
  feishu: z.strictObject({ webhook: webhookUrl, secret: secretText.optional() }).optional(),
  slack: z.strictObject({ webhook: webhookUrl }).optional(),
  webhook: z.strictObject({ url: webhookUrl, secret: secretText.optional() }).optional(),
  /** Mustache templates for the title and summary of each kind of message (`{{job}}`, `{{fact.runs}}`, …). */
  templates: z
    .partialRecord(z.enum(['success', 'failure', 'report-ready', 'alert']), z.strictObject({ title: nonEmpty.optional(), summary: nonEmpty.optional() }))
    .optional(),
});

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const LoggingSchema = z.strictObject({
  level: caseInsensitiveEnum(LOG_LEVELS).default('info'),
  dir: nonEmpty.optional(),
  retentionDays: wholeNumber(1).default(30),
});

const StateSchema = z.strictObject({
  type: z.enum(['file', 'memory']).default('file'),
  /** Default: `<storage.baseDir>/.dify-logs-state.json` (filled in by `loadConfig`). */
  path: nonEmpty.optional(),
});

/** A model price overriding Dify's, per 1,000 tokens (see `PriceRule`). */
const PriceSchema = z.strictObject({
  model: nonEmpty,
  provider: nonEmpty.optional(),
  input: decimal(),
  output: decimal(),
  currency: nonEmpty,
});

/** A scheduled deployment of a job (the original plan's deployments.yaml). */
const DeploymentSchema = z.strictObject({
  name: nonEmpty,
  job: nonEmpty,
  schedule: nonEmpty,
  timezone: nonEmpty.optional(),
  /** `from`/`to` (window templates) make an explicit window; `window` replaces the job's window. */
  parameters: z.record(z.string(), z.unknown()).optional(),
  tags: listOf(nonEmpty).optional(),
  paused: flag.optional(),
  retries: wholeNumber(0, 20).optional(),
  retryDelaySeconds: wholeNumber(0).optional(),
  catchUp: wholeNumber(0, 366).optional(),
});

/** `dify-logs worker`: Agenda on a shared database, the HTTP port for health, metrics and the dashboard. */
const WorkerSchema = z
  .strictObject({
    /** `mongodb://…` (the default backend), `postgres://…` or `redis://…`: jobs, locks, pipeline state and run history. */
    databaseUrl: secretText.optional(),
    /** Prefix of tables, collections or keys: separates tenants sharing one database. */
    prefix: nonEmpty.optional(),
    /** This worker's name in locks and the run history (default host:pid). */
    name: nonEmpty.optional(),
    host: nonEmpty.default('127.0.0.1'),
    /** 0 turns the HTTP server off. */
    port: wholeNumber(0, 65_535).default(9464),
    concurrency: wholeNumber(1, 64).default(2),
    /** A run not renewed for this long is taken over by another worker; it is renewed every third of it while alive. */
    lockLifetimeSeconds: wholeNumber(10).default(600),
    processEverySeconds: decimal(0.1).default(5),
    /** On SIGTERM/SIGINT: wait this long for running runs, then hand them back. */
    drainSeconds: wholeNumber(0).default(60),
    /** The Agendash dashboard at /dashboard: off unless credentials are set (basic auth, or a bearer token). */
    dashboard: z.strictObject({ username: nonEmpty.optional(), password: secretText.optional(), token: secretText.optional() }).optional(),
    /** Ask for the dashboard credentials on /metrics too. */
    metricsAuth: flag.default(false),
  })
  .superRefine((worker, context) => {
    const dashboard = worker.dashboard;
    if (dashboard && !dashboard.token && !(dashboard.username && dashboard.password)) {
      context.addIssue({ code: 'custom', path: ['dashboard'], message: 'needs `username` and `password`, or `token`' });
    }
  });

/** Databases the records themselves are written to, besides the archive (`@dify-logs/sink-postgres`, `@dify-logs/sink-mongodb`). */
const SinksSchema = z.strictObject({
  postgres: z.strictObject({ databaseUrl: secretText, tablePrefix: z.string().regex(/^[A-Za-z0-9_]{0,40}$/, 'letters, digits and _ (at most 40)').optional() }).optional(),
  mongodb: z.strictObject({ databaseUrl: secretText, collectionPrefix: z.string().regex(/^[A-Za-z0-9_]{0,40}$/, 'letters, digits and _ (at most 40)').optional() }).optional(),
});

/** The sections a profile may override; checked key by key, then validated as part of the merged configuration. */
const ProfileSchema = z.record(z.string(), z.unknown());

/** The whole configuration file. `loadConfig` merges the sources, then validates the result with this schema. */
export const ConfigSchema = z.strictObject({
  // An absent `dify` is reported as its missing `dify.baseUrl`.
  dify: DifySchema.prefault({} as z.input<typeof DifySchema>),
  apps: AppsSchema.optional(),
  jobs: JobsSchema,
  storage: StorageSchema.prefault({}),
  notification: NotificationSchema.prefault({}),
  logging: LoggingSchema.prefault({}),
  state: StateSchema.prefault({}),
  /** Scheduled deployments (`dify-logs schedule`); a job with `schedule` is one too, named after the job. */
  deployments: z.array(DeploymentSchema).optional(),
  worker: WorkerSchema.prefault({}),
  /** Where the runs and node executions go as rows (PostgreSQL tables, MongoDB collections); a failing sink keeps the watermark. */
  sinks: SinksSchema.optional(),
  /** Model prices for every job: self-hosted models that Dify prices at 0, negotiated rates. First match wins. */
  prices: z.array(PriceSchema).optional(),
  /** The profile used when neither `--profile` nor `DIFY_LOGS_PROFILE` names one. */
  profile: nonEmpty.optional(),
  /** Profile name → partial configuration, deep-merged over the rest of the file when selected. */
  profiles: z.record(z.string(), ProfileSchema).optional(),
});

/** A validated configuration: every default filled in. */
export type DifyLogsConfig = z.output<typeof ConfigSchema>;
/** What a configuration file may contain before defaults. */
export type DifyLogsConfigInput = z.input<typeof ConfigSchema>;
export type JobConfig = DifyLogsConfig['jobs'][number];
