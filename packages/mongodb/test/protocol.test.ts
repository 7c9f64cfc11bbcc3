import * as vitest from 'vitest';
import { testSink } from '@dify-logs/core/testing';
import { createMongoSink, type MongoSink } from '../src/index.js';
import { fakeDb } from './fake-db.js';
import { countDocuments, readConversation, readRun } from './mongo.js';

// The writer's staging-and-merge protocol through the conformance suite, on an in-memory stand-in for the
// few Db calls it makes (see fake-db.ts). Not a test of MongoDB: conformance.test.ts with MONGODB_URL is.
const db = fakeDb();
testSink<MongoSink>(vitest, {
  name: 'mongodb writer protocol (in-memory stand-in for Db, not a server)',
  create: () => createMongoSink({ db, batchSize: 300 }),
  count: (sink) => countDocuments(db, sink.collections),
  read: (sink, logId) => readRun(db, sink.collections, logId),
  countMessages: (sink) => db.collection(sink.collections.messages).countDocuments({}),
  readConversation: (sink, id) => readConversation(db, sink.collections, id),
});
