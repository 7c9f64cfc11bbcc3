import type { SinkConversationView, SinkCounts, SinkRunView } from '@dify-logs/core/testing';
import { MongoClient, type Db } from 'mongodb';
import type { Collections } from '../src/index.js';

/** A real server only: there is no MongoDB on the CI machines, so these tests run when MONGODB_URL is set. */
export const MONGODB_URL = process.env.MONGODB_URL;
export const skipReason =
  'MONGODB_URL is not set (no MongoDB server on this machine; set it to a mongodb:// URL to run these tests)';

export async function openAdmin(url: string): Promise<{ client: MongoClient; db: Db }> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  return { client, db: client.db() };
}

export async function countDocuments(db: Db, collections: Collections): Promise<SinkCounts> {
  return {
    runs: await db.collection(collections.runs).countDocuments(),
    nodes: await db.collection(collections.nodes).countDocuments(),
  };
}

export async function readRun(db: Db, collections: Collections, logId: string): Promise<SinkRunView | undefined> {
  const run = await db.collection<{ _id: string } & Record<string, unknown>>(collections.runs).findOne({ _id: logId });
  if (!run) return undefined;
  const nodes = await db.collection(collections.nodes).find({ logId }).sort({ index: 1 }).toArray();
  return {
    status: run.status as string | null,
    error: run.error as string | null,
    inputs: run.inputs as Record<string, unknown> | null,
    outputs: run.outputs as Record<string, unknown> | null,
    nodes: nodes.map((node) => ({
      id: node._id as unknown as string,
      status: node.status as string,
      title: node.title as string | null,
    })),
  };
}

/** A committed conversation as a reader sees it. */
export async function readConversation(
  db: Db,
  collections: Collections,
  conversationId: string,
): Promise<SinkConversationView | undefined> {
  const doc = await db
    .collection<{ _id: string; conversationUpdatedAt: Date | null; messageCount: number | null; dislikes: number }>(
      collections.conversations,
    )
    .findOne({ _id: conversationId });
  if (!doc) return undefined;
  return {
    updatedAt: doc.conversationUpdatedAt?.toISOString() ?? null,
    messageCount: doc.messageCount ?? null,
    dislikes: doc.dislikes,
  };
}

export async function dropPrefix(db: Db, prefix: string): Promise<void> {
  for (const { name } of await db.listCollections({ name: { $regex: `^${prefix}` } }, { nameOnly: true }).toArray())
    await db.dropCollection(name);
}
