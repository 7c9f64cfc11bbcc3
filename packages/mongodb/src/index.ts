export { openMongoDatabase, type MongoDatabase } from './database.js';
export { mongoStateStore, type MongoStateStoreOptions } from './state.js';
export { mongoRunHistory, type MongoRunHistoryOptions } from './run-history.js';
export type { MongoOptions } from './connection.js';
export { createMongoSink, type MongoSink, type MongoSinkOptions } from './mongo-sink.js';
export type { Collections } from './documents.js';
export { leaseClient, type ClientLease } from './client.js';
export { plugin, plugins, databasePlugin, sinkPlugin, mongodbSection } from './plugin.js';
