import * as vitest from 'vitest';
import { randomBytes } from 'node:crypto';
import { DifyConfigError } from '@dify-logs/core';
import { testStateStore } from '@dify-logs/core/testing';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { mongoStateStore } from '../src/index.js';

const MONGODB_URL = process.env.MONGODB_URL;
const reason = 'MONGODB_URL is not set (no MongoDB server can run here)';
const prefix = `t${randomBytes(4).toString('hex')}_`;

afterAll(async () => {
  if (!MONGODB_URL) return;
  const client = await MongoClient.connect(MONGODB_URL);
  try {
    for (const collection of await client.db().collections())
      if (collection.collectionName.startsWith(prefix)) await collection.drop();
  } finally {
    await client.close();
  }
});

if (MONGODB_URL) {
  testStateStore(vitest, {
    name: 'MongoDB',
    shared: true,
    create: () => mongoStateStore({ connectionString: MONGODB_URL, collectionPrefix: prefix }),
  });
} else {
  console.warn(`skipped the MongoDB state tests: ${reason}`);
  describe.skip(`StateStore conformance: MongoDB (${reason})`, () => it('needs MongoDB', () => {}));
}

describe('mongoStateStore options', () => {
  it(
    'rejects a bad collection prefix or a missing connection ' +
      'with a DifyConfigError naming the option, without connecting',
    () => {
      expect(() =>
        mongoStateStore({ connectionString: 'mongodb://127.0.0.1:1/test', collectionPrefix: 'a.b' }),
      ).toThrow(expect.objectContaining({ key: 'collectionPrefix' }));
      expect(() => mongoStateStore({})).toThrow(DifyConfigError);
    },
  );

  it('names the collection in errors and never shows the password', async () => {
    const store = mongoStateStore({
      connectionString: 'mongodb://root:Sup3r-s3cret@127.0.0.1:1/test?serverSelectionTimeoutMS=300',
      collectionPrefix: 'redacted_',
    });
    const error = await store.read('job', 'app').catch((caught: unknown) => caught);
    await store.close!();
    expect((error as Error).message).toContain('redacted_app_state');
    expect((error as Error).message).not.toContain('Sup3r-s3cret');
  });
});
