import { DEFAULT_RETRIES } from '../export/defaults.js';
import { z } from 'zod';
import { jobsSchema } from './job-schema.js';
import { DETECTORS } from '../privacy/detectors.js';
import { caseInsensitiveEnum, decimal, flag, httpUrl, listOf, nonEmpty, secretText, wholeNumber } from './values.js';

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
        /**
         * Log out when done (default false): Dify's logout deletes the account's latest refresh token, whoever holds
         * it.
         */
        logoutOnClose: flag.optional(),
        /**
         * The workspace to read. Dify keeps the current workspace per account (a browser switching it moves every
         * session): each run switches back to this one before listing apps. Without it, the current one is read and
         * named.
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
    /**
     * Dify's log retention in days (its `WORKFLOW_LOG_RETENTION_DAYS` when `WORKFLOW_LOG_CLEANUP_ENABLED` is on): a
     * report whose explicit window starts further back, on a Dify without an archive of old runs, says runs may be
     * gone. Unset: Dify's default of 30 is assumed, and the report says it was assumed.
     */
    retentionDays: wholeNumber(1).optional(),
  })
  .superRefine((dify, context) => {
    if (dify.console && dify.admin)
      context.addIssue({
        code: 'custom',
        path: ['admin'],
        message: 'give either dify.console or dify.admin, not both',
      });
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
    if (first !== undefined)
      context.addIssue({
        code: 'custom',
        path: [index, 'id'],
        message: `${JSON.stringify(app.id)} is already listed as apps.${first}`,
      });
    else seen.set(app.id, index);
  });
});

/** Core's own notifier; the others come from plugins. */
export const CORE_NOTIFIER_TYPES = ['console'] as const;
/**
 * The default storage type: accepted by the schema even before its plugin is registered (`@dify-logs/storage-local`).
 */
export const DEFAULT_STORAGE_TYPE = 'local';

/** What the plugins add to the schema: the types each kind may name and the sections they own. */
export interface ConfigParts {
  storage: { types: readonly string[]; sections: Readonly<Record<string, z.ZodType>> };
  notifiers: { types: readonly string[]; sections: Readonly<Record<string, z.ZodType>> };
  sinks: Readonly<Record<string, z.ZodType>>;
  /** Formats `storage.archiveFormats` may name. */
  archiveFormats: readonly string[];
  /** Report formats beyond core's json and markdown (`jobs[].outputFormat`). */
  reportFormats: readonly string[];
  /** The `worker` section (the scheduler plugin's). */
  worker?: z.ZodType;
  /** Top-level sections of service plugins, by type (`serve`). */
  services?: Readonly<Record<string, z.ZodType>>;
}

export const NO_PARTS: ConfigParts = {
  storage: { types: [], sections: {} },
  notifiers: { types: [], sections: {} },
  sinks: {},
  archiveFormats: [],
  reportFormats: [],
};

/** `z.enum` of the names, or a schema that refuses every value and says none is registered. */
function oneOf(names: readonly string[], what: string): z.ZodType<string> {
  const unique = [...new Set(names)];
  if (unique.length > 0) return z.enum(unique as [string, ...string[]]);
  return z.string().superRefine((value, context) =>
    context.addIssue({
      code: 'custom',
      message: `${JSON.stringify(value)} is not available: no ${what} plugin is registered`,
    }),
  );
}

function optionalSections(sections: Readonly<Record<string, z.ZodType>>): Record<string, z.ZodType> {
  return Object.fromEntries(Object.entries(sections).map(([type, schema]) => [type, schema.optional()]));
}

function storageSchema(parts: ConfigParts) {
  return z
    .strictObject({
      type: oneOf([DEFAULT_STORAGE_TYPE, ...parts.storage.types], 'storage').default(DEFAULT_STORAGE_TYPE),
      baseDir: nonEmpty.default('./outputs'),
      retentionDays: wholeNumber(1).optional(),
      /** Formats each archive part is also written in, beside gzip NDJSON (`parquet`: `@dify-logs/parquet`). */
      archiveFormats: listOf(oneOf(parts.archiveFormats, 'archive format')).optional(),
      /** `false`: archive parts only in `archiveFormats` (the first is the part), without gzip NDJSON. */
      archiveNdjson: z.boolean().default(true),
      ...optionalSections(parts.storage.sections),
    })
    .superRefine((storage, context) => {
      if (!storage.archiveNdjson && !storage.archiveFormats?.length)
        context.addIssue({
          code: 'custom',
          path: ['archiveNdjson'],
          message: 'false needs another archive format: set storage.archiveFormats (e.g. [parquet])',
        });
    });
}

function notificationSchema(parts: ConfigParts) {
  return z.strictObject({
    enabled: flag.default(false),
    type: listOf(oneOf([...CORE_NOTIFIER_TYPES, ...parts.notifiers.types], 'notifier')).default(['console']),
    ...optionalSections(parts.notifiers.sections),
    /** Mustache templates for the title and summary of each kind of message (`{{job}}`, `{{fact.runs}}`, …). */
    templates: z
      .partialRecord(
        z.enum(['success', 'failure', 'report-ready', 'alert']),
        z.strictObject({ title: nonEmpty.optional(), summary: nonEmpty.optional() }),
      )
      .optional(),
  });
}

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

/** Personal data in run inputs, outputs, errors and messages: see docs/guide/privacy.md. */
const PrivacySchema = z
  .strictObject({
    enabled: flag.default(true),
    action: caseInsensitiveEnum(['mask', 'hash', 'drop'] as const).default('mask'),
    /** The HMAC-SHA256 key of `hash`: the same value gives the same token under one key (joins keep working). */
    key: secretText.optional(),
    detect: listOf(caseInsensitiveEnum(DETECTORS)).optional(),
    fields: z.strictObject({ drop: listOf(nonEmpty).optional(), keep: listOf(nonEmpty).optional() }).optional(),
    endUser: caseInsensitiveEnum(['scan', 'keep', 'hash', 'drop'] as const).default('scan'),
  })
  .superRefine((privacy, context) => {
    if (privacy.enabled && (privacy.action === 'hash' || privacy.endUser === 'hash') && !privacy.key)
      context.addIssue({
        code: 'custom',
        path: ['key'],
        message:
          `is required to hash values (` +
          `${privacy.action === 'hash' ? 'action' : 'endUser'}: hash); set PRIVACY_KEY`,
      });
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

/** The sections a profile may override; checked key by key, then validated as part of the merged configuration. */
const ProfileSchema = z.record(z.string(), z.unknown());

/**
 * The whole configuration file, with the sections of the given plugins' parts. `loadConfig` validates the merged
 * sources with it.
 */
export function buildConfigSchema(parts: ConfigParts) {
  return z.strictObject({
    // An absent `dify` is reported as its missing `dify.baseUrl`.
    dify: DifySchema.prefault({} as z.input<typeof DifySchema>),
    apps: AppsSchema.optional(),
    jobs: jobsSchema(parts.reportFormats),
    storage: storageSchema(parts).prefault({}),
    notification: notificationSchema(parts).prefault({}),
    logging: LoggingSchema.prefault({}),
    state: StateSchema.prefault({}),
    /** Scheduled deployments (`dify-logs schedule`); a job with `schedule` is one too, named after the job. */
    deployments: z.array(DeploymentSchema).optional(),
    ...(parts.worker ? { worker: parts.worker.prefault({}) } : {}),
    ...Object.fromEntries(Object.entries(parts.services ?? {}).map(([type, schema]) => [type, schema.prefault({})])),
    /**
     * Where the runs and node executions go as rows (PostgreSQL tables, MongoDB collections); a failing sink keeps the
     * watermark.
     */
    sinks: z.strictObject(optionalSections(parts.sinks)).optional(),
    /** Personal data found in what runs and messages carry is masked, hashed or dropped before anything is written. */
    privacy: PrivacySchema.prefault({}),
    /** Model prices for every job: self-hosted models that Dify prices at 0, negotiated rates. First match wins. */
    prices: z.array(PriceSchema).optional(),
    /** The profile used when neither `--profile` nor `DIFY_LOGS_PROFILE` names one. */
    profile: nonEmpty.optional(),
    /** Profile name → partial configuration, deep-merged over the rest of the file when selected. */
    profiles: z.record(z.string(), ProfileSchema).optional(),
  });
}

/** Core's own configuration schema: no plugin sections (local storage and the console notifier only). */
export const ConfigSchema = buildConfigSchema(NO_PARTS);

type CoreConfig = z.output<typeof ConfigSchema>;
/** Sections owned by plugins, by type: typed by each plugin's schema (`z.output<typeof plugin.schema>`). */
export type PluginSections = { readonly [type: string]: unknown };

/** A validated configuration: every default filled in; plugin sections by type. */
export type DifyLogsConfig = Omit<CoreConfig, 'storage' | 'notification' | 'sinks'> & {
  storage: CoreConfig['storage'] & PluginSections;
  notification: CoreConfig['notification'] & PluginSections;
  sinks?: PluginSections;
  /** The scheduler plugin's section (`@dify-logs/scheduler-agenda`: the worker). */
  worker?: PluginSections;
};
/** What a configuration file may contain before defaults. */
export type DifyLogsConfigInput = Omit<z.input<typeof ConfigSchema>, 'storage' | 'notification' | 'sinks'> & {
  storage?: z.input<typeof ConfigSchema>['storage'] & PluginSections;
  notification?: z.input<typeof ConfigSchema>['notification'] & PluginSections;
  sinks?: PluginSections;
  worker?: PluginSections;
};
export type JobConfig = DifyLogsConfig['jobs'][number];
