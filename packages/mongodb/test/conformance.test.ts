import * as vitest from 'vitest';
import { testSink } from '@dify-logs/core/testing';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createMongoSink, type MongoSink } from '../src/index.js';
import { MONGODB_URL, countDocuments, dropPrefix, openAdmin, readConversation, readRun, skipReason } from './mongo.js';

const prefix = `t_conformance_${process.pid}_${Math.random().toString(36).slice(2, 7)}_`;

const url = MONGODB_URL;
if (url) {
  let admin: { client: MongoClient; db: Db };
  beforeAll(async () => {
    admin = await openAdmin(url);
  });
  afterAll(async () => {
    await dropPrefix(admin.db, prefix);
    await admin.client.close();
  });
  testSink<MongoSink>(vitest, {
    name: 'mongodb',
    create: () => createMongoSink({ connectionString: url, collectionPrefix: prefix, batchSize: 300 }),
    count: (sink) => countDocuments(admin.db, sink.collections),
    read: (sink, logId) => readRun(admin.db, sink.collections, logId),
    countMessages: (sink) => admin.db.collection(sink.collections.messages).countDocuments({}),
    readConversation: (sink, id) => readConversation(admin.db, sink.collections, id),
  });
} else {
  describe('Sink conformance: mongodb', () => it.skip(`(skipped: ${skipReason})`, () => undefined));
}
