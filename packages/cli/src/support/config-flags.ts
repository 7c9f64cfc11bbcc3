import { createDifyLogs, loadConfig, type DifyLogs, type LoadedConfig } from '@dify-logs/core';
import type { StorageAdapter } from '@dify-logs/core/adapter-kit';
import { createPluginRegistry } from '@dify-logs/core/adapter-kit';
import type { Command } from 'commander';
import type { CliIo } from './io.js';
import { rememberSecrets } from './known-secrets.js';
import { FIRST_PARTY_PLUGINS } from './plugins.js';

export interface ConfigFlags {
  config?: string;
  profile?: string;
  keyFile?: string;
}

/** The first-party plugins' registry: the configuration's sections, types and environment variables. */
export const PLUGINS = createPluginRegistry(FIRST_PARTY_PLUGINS);

/** `--config`, `--profile`, `--key-file`: how every command that reads the configuration finds it. */
export function addConfigOptions(command: Command): Command {
  return command
    .option(
      '--config <file>',
      'YAML or JSON configuration (optional: the DIFY_* environment variables alone are enough)',
    )
    .option('--profile <name>', 'configuration profile [env DIFY_LOGS_PROFILE]')
    .option('--key-file <file>', 'key of the enc:v1: values [env DIFY_LOGS_SECRET_KEY]');
}

export function loadFromFlags(flags: ConfigFlags, io: CliIo): Promise<LoadedConfig> {
  return loadConfig({
    file: flags.config,
    profile: flags.profile,
    env: io.env,
    cwd: io.cwd,
    keyFile: flags.keyFile,
    plugins: PLUGINS,
  });
}

/** The runtime of the configuration (every first-party plugin), for the commands that use one adapter of it. */
export async function runtimeFromFlags(
  flags: ConfigFlags,
  io: CliIo,
  write: (text: string) => void = (text) => void io.stderr.write(text),
): Promise<DifyLogs> {
  const runtime = await createDifyLogs({
    config: flags.config ?? {},
    plugins: PLUGINS,
    env: io.env,
    cwd: io.cwd,
    write,
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(flags.keyFile ? { keyFile: flags.keyFile } : {}),
  });
  rememberSecrets(io, runtime.loaded.secrets);
  return runtime;
}

/**
 * The runtime and its storage, for the commands that only read or clean stored files (`storagePlace` names where it
 * keeps them).
 */
export async function storageFromFlags(
  flags: ConfigFlags,
  io: CliIo,
): Promise<{ runtime: DifyLogs; storage: StorageAdapter }> {
  const runtime = await runtimeFromFlags(flags, io);
  return { runtime, storage: await runtime.storage() };
}
