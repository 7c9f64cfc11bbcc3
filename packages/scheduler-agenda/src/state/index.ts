// The run history contract and its memory implementation live in `@dify-logs/core/adapter-kit` (the database
// packages implement it); the stores of each database are in `@dify-logs/postgres`, `@dify-logs/redis` and
// `@dify-logs/mongodb`.
export {
  memoryRunHistory,
  redactConnectionString,
  type RunHistory,
  type RunHistoryOptions,
  type RunHistoryQuery,
} from '@dify-logs/core/adapter-kit';
