/**
 * @deprecated `@dify-logs/sink-postgres` is `@dify-logs/postgres` now (one package for everything dify-logs keeps in
 * PostgreSQL: the sink, and the workers' jobs, state and run history on one pool). These re-exports keep old imports
 * working.
 */
export {
  createPostgresSink,
  MIGRATIONS,
  type PostgresSink,
  type PostgresSinkOptions,
  type Migration,
  type Tables,
} from '@dify-logs/postgres';
export { sinkPlugin as plugin } from '@dify-logs/postgres/plugin';
