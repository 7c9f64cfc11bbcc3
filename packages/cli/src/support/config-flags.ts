import { loadConfig, type LoadedConfig } from '@dify-logs/core';
import type { Command } from 'commander';
import type { CliIo } from './io.js';

export interface ConfigFlags {
  config?: string;
  profile?: string;
  keyFile?: string;
}

/** `--config`, `--profile`, `--key-file`: how every command that reads the configuration finds it. */
export function addConfigOptions(command: Command): Command {
  return command
    .option('--config <file>', 'YAML or JSON configuration (optional: the DIFY_* environment variables alone are enough)')
    .option('--profile <name>', 'configuration profile [env DIFY_LOGS_PROFILE]')
    .option('--key-file <file>', 'key of the enc:v1: values [env DIFY_LOGS_SECRET_KEY]');
}

export function loadFromFlags(flags: ConfigFlags, io: CliIo): Promise<LoadedConfig> {
  return loadConfig({ file: flags.config, profile: flags.profile, env: io.env, cwd: io.cwd, keyFile: flags.keyFile });
}
