export { createPostgresSink, type PostgresSink, type PostgresSinkOptions } from './postgres-sink.js';
export { MIGRATIONS, type Migration } from './migrations.js';
export type { Tables } from './tables.js';
export { plugin } from './plugin.js';
