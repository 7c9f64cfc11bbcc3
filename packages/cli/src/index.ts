export { main } from './program.js';
export { EXIT, UsageError } from './support/exit-codes.js';
export type { CliIo } from './support/io.js';
