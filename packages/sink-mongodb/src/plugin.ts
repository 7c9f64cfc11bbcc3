/**
 * @deprecated Use `@dify-logs/mongodb/plugin` (its `plugin` is the sink and the workers' database). This is its sink
 * alone.
 */
export { sinkPlugin as plugin, mongodbSection } from '@dify-logs/mongodb/plugin';
