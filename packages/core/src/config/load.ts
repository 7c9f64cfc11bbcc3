import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DifyConfigError } from '../errors/config-error.js';
import { connectionSecrets, scrub } from '../logging/redact.js';
import { applyDerivedDefaults } from './derived-defaults.js';
import { toPluginRegistry, type PluginRegistry, type PluginsOption } from '../plugins/registry.js';
import { environmentToConfig, PROFILE_VARIABLE, SECRET_KEY_VARIABLE, variableFor } from './environment.js';
import { issuesToError } from './issues.js';
import { isPlainObject, isSecretPath } from './key-path.js';
import { cloneTree, deepMerge, leaves, type ConfigTree } from './merge.js';
import { readConfigFile, readEnvFile } from './read-file.js';
import { resolveReferences } from './references.js';
import type { DifyLogsConfig, DifyLogsConfigInput } from './schema.js';
import { parseSecretKey } from './secrets.js';
import { createSourceTracker, type ConfigSource, type SourceEntry } from './sources.js';
import { unknownKeys } from './unknown-keys.js';
import { checkConfig } from './validate.js';

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** Configuration keys set by the caller (CLI flags): the last and strongest source. */
export type ConfigOverrides = DeepPartial<DifyLogsConfigInput>;

export interface LoadConfigOptions {
  /** A YAML or JSON configuration file (relative to `cwd`). Optional: the environment alone can be enough. */
  file?: string;
  /**
   * The configuration as an object in the file's shape, instead of `file` (`${env:…}` references and `enc:v1:` values
   * resolve).
   */
  document?: Record<string, unknown>;
  /**
   * The plugins whose sections, types and environment variables the configuration may use (default: core's own only).
   */
  plugins?: PluginsOption;
  /** The profile to use; else `DIFY_LOGS_PROFILE`, else the file's `profile` key. */
  profile?: string;
  /** Environment variables (default `process.env`, read when called). */
  env?: Readonly<Record<string, string | undefined>>;
  /** A `.env` file (default `.env` in `cwd`, when it exists; a file named here must exist; `false`: none). */
  envFile?: string | false;
  /** The folder relative paths start from (default `process.cwd()`). */
  cwd?: string;
  overrides?: ConfigOverrides;
  /** A file holding the key for `enc:v1:` values (instead of `DIFY_LOGS_SECRET_KEY`). */
  keyFile?: string;
}

export interface LoadedConfig {
  /** The effective configuration: defaults filled in, profile applied, `profile`/`profiles` removed. */
  config: DifyLogsConfig;
  /** Every key of `config` (dotted path) → the source its value came from. */
  sources: Map<string, ConfigSource>;
  /** Every secret value in effect (decrypted values included), for scrubbing logs and messages. */
  secrets: string[];
  profile: string | undefined;
  /** The absolute path of the configuration file read, if any. */
  file: string | undefined;
}

function describeEntry(
  entry: SourceEntry | undefined,
  file: string | undefined,
  profile: string | undefined,
): string | undefined {
  switch (entry?.source) {
    case 'file':
      return `from ${file ?? 'the configuration file'}`;
    case 'profile':
      return `from profile ${JSON.stringify(profile)}`;
    case '.env':
      return `from ${entry.detail ?? 'the .env file'}`;
    case 'env':
      return `from the environment variable ${entry.detail ?? ''}`.trim();
    case 'override':
      return 'from the command line';
    default:
      return undefined;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** The profile named by the option, else `DIFY_LOGS_PROFILE`, else the file's `profile` key; it must exist. */
function selectProfile(
  options: LoadConfigOptions,
  env: Readonly<Record<string, string | undefined>>,
  fileProfile: unknown,
  profiles: ConfigTree,
  file: string | undefined,
) {
  const profile =
    nonEmpty(options.profile) ??
    nonEmpty(env[PROFILE_VARIABLE]) ??
    (typeof fileProfile === 'string' ? nonEmpty(fileProfile) : undefined);
  if (profile === undefined) return undefined;
  if (!Object.hasOwn(profiles, profile)) {
    const known = Object.keys(profiles);
    const where = file ? `in ${file}` : '(no configuration file was given)';
    throw new DifyConfigError(
      'profile',
      `${JSON.stringify(profile)} is not a profile ${where}; ` +
        `${known.length > 0 ? `defined: ${known.join(', ')}` : 'none are defined (add them under `profiles:`)'}`,
    );
  }
  return profile;
}

/** `profiles` of the file: a mapping of mappings, each holding only known keys. */
function checkProfiles(profiles: unknown, schema: PluginRegistry['schema']): ConfigTree {
  if (profiles === undefined || profiles === null) return {};
  if (!isPlainObject(profiles))
    throw new DifyConfigError('profiles', 'expected a mapping of profile name → partial configuration');
  const issues = Object.entries(profiles).flatMap(([name, body]) => {
    if (!isPlainObject(body)) return [{ key: `profiles.${name}`, message: 'expected a mapping of configuration keys' }];
    const nested = ['profile', 'profiles']
      .filter((key) => key in body)
      .map((key) => ({ key: `profiles.${name}.${key}`, message: 'is not allowed inside a profile' }));
    return [...nested, ...unknownKeys(body, `profiles.${name}`, schema)];
  });
  if (issues.length > 0) throw issuesToError(issues);
  return profiles;
}

/** Reads the key for `enc:v1:` values once, when the first one is met. */
function secretKeyReader(
  options: LoadConfigOptions,
  cwd: string,
  variables: Readonly<Record<string, string | undefined>>,
  onSecret: (value: string) => void,
) {
  let key: Promise<Uint8Array | undefined> | undefined;
  const read = async (): Promise<Uint8Array | undefined> => {
    if (options.keyFile !== undefined) {
      const path = resolve(cwd, options.keyFile);
      const text = await readFile(path, 'utf8').catch((error: unknown) => {
        throw new DifyConfigError(
          'keyFile',
          `cannot read the key file ${path} (${String((error as { code?: unknown }).code ?? 'unreadable')})`,
        );
      });
      onSecret(text.trim());
      return parseSecretKey(text, `keyFile ${path}`);
    }
    const text = nonEmpty(variables[SECRET_KEY_VARIABLE]);
    if (text === undefined) return undefined;
    onSecret(text);
    return parseSecretKey(text, SECRET_KEY_VARIABLE);
  };
  return () => (key ??= read());
}

/** A DifyConfigError with every known secret value replaced by `[redacted]`. */
function scrubbed(error: unknown, secrets: Iterable<string>): unknown {
  if (!DifyConfigError.isInstance(error)) return error;
  const prefix = `${error.key}: `;
  const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  const clean = scrub(message, secrets);
  return clean === message ? error : new DifyConfigError(scrub(error.key, secrets), clean);
}

/**
 * Loads the configuration. Sources, later wins: defaults < file (+ its selected profile) < `.env` < environment <
 * overrides.
 * `${env:NAME}`, `${file:path}` and `enc:v1:` values of the file are resolved. Throws a DifyConfigError naming the key.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const secrets = new Set<string>();
  try {
    return await load(options, secrets);
  } catch (error) {
    throw scrubbed(error, secrets);
  }
}

async function load(options: LoadConfigOptions, secrets: Set<string>): Promise<LoadedConfig> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const registry = toPluginRegistry(options.plugins);
  if (options.file !== undefined && options.document !== undefined)
    throw new DifyConfigError('document', 'give either a configuration file or a configuration object, not both');
  if (options.document !== undefined && !isPlainObject(options.document))
    throw new DifyConfigError('document', "expected an object in the configuration file's shape");
  const env = options.env ?? process.env;
  const file = options.file === undefined ? undefined : resolve(cwd, options.file);
  const dotenvFile = resolve(cwd, options.envFile || '.env');
  const dotenv =
    options.envFile === false ? {} : ((await readEnvFile(dotenvFile, options.envFile !== undefined)) ?? {});
  const variables = { ...dotenv, ...env };
  const addSecret = (value: string) => {
    if (value === '') return;
    secrets.add(value);
    // A connection string's password may be shown without the rest of it, decoded or percent-encoded.
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) for (const form of connectionSecrets(value)) secrets.add(form);
  };

  const {
    profile: fileProfile,
    profiles: rawProfiles,
    ...base
  } = file
    ? await readConfigFile(file)
    : options.document
      ? cloneTree(options.document as ConfigTree)
      : ({} as ConfigTree);
  const profiles = checkProfiles(rawProfiles, registry.schema);
  const profile = selectProfile(options, variables, fileProfile, profiles, file);

  const context = {
    env: variables,
    baseDir: file ? dirname(file) : cwd,
    secretKey: secretKeyReader(options, cwd, variables, addSecret),
    onSecret: addSecret,
  };
  const fileLayer = (await resolveReferences(base, context)) as ConfigTree;
  const profileLayer =
    profile === undefined
      ? {}
      : ((await resolveReferences(profiles[profile], context, `profiles.${profile}`)) as ConfigTree);
  const dotenvLayer = environmentToConfig(dotenv, registry.env);
  const envLayer = environmentToConfig(env, registry.env);
  const layers: Array<{ tree: ConfigTree; source: ConfigSource; detail?: (path: string) => string | undefined }> = [
    { tree: fileLayer, source: 'file' },
    { tree: profileLayer, source: 'profile' },
    {
      tree: dotenvLayer.tree,
      source: '.env',
      detail: (path) => `${dotenvFile} ${dotenvLayer.variables.get(path) ?? ''}`.trim(),
    },
    { tree: envLayer.tree, source: 'env', detail: (path) => envLayer.variables.get(path) },
    { tree: cloneTree((options.overrides ?? {}) as ConfigTree), source: 'override' },
  ];

  const tracker = createSourceTracker();
  let merged: ConfigTree = {};
  for (const layer of layers) {
    tracker.record(layer.tree, merged, layer.source, layer.detail);
    merged = deepMerge(merged, layer.tree);
  }
  for (const [path, value] of leaves(merged)) if (isSecretPath(path) && typeof value === 'string') addSecret(value);

  const result = checkConfig(merged, registry.schema);
  if (!result.ok) {
    const required = new Set(
      result.issues.filter((issue) => issue.message.startsWith('is required')).map((issue) => issue.key),
    );
    throw issuesToError(result.issues, (key) => {
      const variable = variableFor(key, registry.env);
      const hint = variable && required.has(key) ? `set it in the configuration file or ${variable}` : undefined;
      return (
        describeEntry(
          tracker.lookup(key),
          file ?? (options.document ? 'the configuration object' : undefined),
          profile,
        ) ?? hint
      );
    });
  }
  const config = applyDerivedDefaults(result.config);
  for (const [path, value] of leaves(config)) if (isSecretPath(path) && typeof value === 'string') addSecret(value);
  return { config, sources: tracker.sourcesOf(config as unknown as ConfigTree), secrets: [...secrets], profile, file };
}
