export {
  ConfigSchema,
  buildConfigSchema,
  CORE_NOTIFIER_TYPES,
  LOG_LEVELS,
  type ConfigParts,
  type PluginSections,
  type DifyLogsConfig,
  type DifyLogsConfigInput,
  type JobConfig,
} from './schema.js';
export { OUTPUT_FORMATS, CORE_OUTPUT_FORMATS, NOTIFY_ON, DEFAULT_JOB_NAME } from './job-schema.js';
export { environmentToConfig } from './environment.js';
export { nonEmpty, secretText, httpUrl, wholeNumber, decimal, flag, listOf } from './values.js';
export { validateConfig, checkConfig, type ConfigValidation } from './validate.js';
export type { ConfigIssue } from './issues.js';
export { loadConfig, type LoadConfigOptions, type LoadedConfig, type ConfigOverrides } from './load.js';
export type { ConfigSource } from './sources.js';
export {
  ENVIRONMENT_VARIABLES,
  PROFILE_VARIABLE,
  SECRET_KEY_VARIABLE,
  type EnvironmentVariable,
} from './environment.js';
export { isSecretPath } from './key-path.js';
export {
  ENCRYPTED_PREFIX,
  encryptSecret,
  decryptSecret,
  generateSecretKey,
  parseSecretKey,
  isEncryptedSecret,
} from './secrets.js';
export { redactConfig, describeSources } from './redact.js';
export { readDataFile } from './read-file.js';
