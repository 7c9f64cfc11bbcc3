/**
 * `@dify-logs/core/cli-kit`: what a command-line program built on core needs before it talks to Dify, without loading
 * the runtime, the configuration schema or the pipeline: the version, the errors it reports, environment variables read
 * as configuration, log lines scrubbed of secrets, and output files that appear whole or not at all. With
 * `@dify-logs/core/client` it is all `dify-logs export` loads (about 30 ms less start-up than `@dify-logs/core` and
 * `@dify-logs/core/adapter-kit`).
 */
export { VERSION } from '../version.js';
export { DifyLogsError, type DifyLogsErrorOptions } from '../errors/dify-logs-error.js';
export { DifyConfigError } from '../errors/config-error.js';
export { environmentToConfig } from '../config/environment.js';
export { scrub } from '../logging/redact.js';
export { createAtomicFileWriter, type AtomicFileWriter, type AtomicFileOptions } from '../fs/atomic-file.js';
