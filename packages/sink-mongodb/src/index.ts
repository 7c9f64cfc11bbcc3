/**
 * @deprecated `@dify-logs/sink-mongodb` is `@dify-logs/mongodb` now (one package for everything dify-logs keeps in
 * MongoDB: the sink, and the workers' jobs, state and run history on one client). These re-exports keep old imports
 * working.
 */
export { createMongoSink, type MongoSink, type MongoSinkOptions, type Collections } from '@dify-logs/mongodb';
export { sinkPlugin as plugin } from '@dify-logs/mongodb/plugin';
