/**
 * @deprecated Use `@dify-logs/postgres/plugin` (its `plugin` is the sink and the workers' database). This is its sink
 * alone.
 */
export { sinkPlugin as plugin, postgresSection } from '@dify-logs/postgres/plugin';
