export { createMongoSink, type MongoSink, type MongoSinkOptions } from './mongo-sink.js';
export type { Collections } from './documents.js';
export { plugin } from './plugin.js';
