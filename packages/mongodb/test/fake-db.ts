import type { Db } from 'mongodb';
import { NEWEST_CONVERSATION } from '../src/documents.js';

// An in-memory stand-in for the handful of `Db` calls the sink makes, with their documented semantics:
// enough to run the conformance suite against the writer's staging-and-merge protocol on machines without
// MongoDB. It proves the protocol, not the driver or the server: the real check is MONGODB_URL.

type Doc = Record<string, unknown> & { _id: string };
type Filter = Record<string, unknown>;

const clone = <T>(value: T): T => structuredClone(value);

function matches(doc: Doc, filter: Filter): boolean {
  return Object.entries(filter).every(([key, condition]) => {
    const value = doc[key];
    if (condition && typeof condition === 'object' && !(condition instanceof Date)) {
      const operators = condition as Record<string, unknown>;
      if ('$in' in operators) return (operators.$in as unknown[]).includes(value);
      if ('$ne' in operators) return value !== operators.$ne;
      if ('$regex' in operators) return new RegExp(operators.$regex as string).test(String(value));
      if (Object.keys(operators).every((operator) => operator === '$gte' || operator === '$lt')) {
        // Ranges over dates, as the server compares them.
        const time = (item: unknown) => (item instanceof Date ? item.getTime() : Number.NaN);
        return (
          (!('$gte' in operators) || time(value) >= time(operators.$gte)) &&
          (!('$lt' in operators) || time(value) < time(operators.$lt))
        );
      }
      throw new Error(`fake db: unsupported condition ${JSON.stringify(condition)}`);
    }
    return value === condition;
  });
}

/**
 * The sink's `$merge` `whenMatched` pipelines: runs' `$replaceWith` of `$cond` on `$$new.nodeCount` being null;
 * conversations' (`NEWEST_CONVERSATION`) keeps the newer version by `conversationUpdatedAt`, else `createdAt`.
 */
function applyWhenMatched(existing: Doc, incoming: Doc, whenMatched: unknown): Doc {
  if (whenMatched === 'replace') return incoming;
  if (whenMatched === NEWEST_CONVERSATION) {
    const version = (doc: Doc) => ((doc.conversationUpdatedAt ?? doc.createdAt) as Date).getTime();
    return version(incoming) >= version(existing) ? incoming : existing;
  }
  if (incoming.nodeCount !== null) return incoming;
  const totals = [incoming.totalTokens, existing.nodeTokens].filter(
    (value): value is number => typeof value === 'number',
  );
  const kept: Doc = { ...incoming, effectiveTokens: totals.length > 0 ? Math.max(...totals) : null };
  for (const field of ['nodeCount', 'nodeTokens', 'totalPrice', 'currency'])
    if (field in existing) kept[field] = existing[field];
  return kept;
}

export function fakeDb(): Db {
  const store = new Map<string, Map<string, Doc>>();
  const named = (name: string) => {
    let documents = store.get(name);
    if (!documents) store.set(name, (documents = new Map()));
    return documents;
  };
  const collection = (name: string) => {
    const documents = named(name);
    const deleteMany = async (filter: Filter) => {
      let deletedCount = 0;
      for (const [id, doc] of documents) if (matches(doc, filter) && documents.delete(id)) deletedCount += 1;
      return { deletedCount };
    };
    return {
      createIndexes: async () => [],
      countDocuments: async (filter: Filter = {}) =>
        [...documents.values()].filter((doc) => matches(doc, filter)).length,
      findOne: async (filter: Filter) => clone([...documents.values()].find((doc) => matches(doc, filter)) ?? null),
      find: (filter: Filter) => {
        const found = [...documents.values()].filter((doc) => matches(doc, filter)).map(clone);
        return {
          sort: (order: Record<string, 1 | -1>) => {
            const [key, direction] = Object.entries(order)[0]!;
            found.sort((a, b) => ((a[key] as number) - (b[key] as number)) * direction);
            return { toArray: async () => found };
          },
          toArray: async () => found,
          async *[Symbol.asyncIterator]() {
            yield* found;
          },
        };
      },
      deleteMany,
      replaceOne: async (filter: { _id: string }, replacement: Record<string, unknown>) => {
        documents.set(filter._id, { ...clone(replacement), _id: filter._id });
        return { acknowledged: true };
      },
      bulkWrite: async (
        operations: Array<{ replaceOne: { filter: { _id: string }; replacement: Record<string, unknown> } }>,
      ) => {
        let upsertedCount = 0;
        for (const { replaceOne } of operations) {
          if (!documents.has(replaceOne.filter._id)) upsertedCount += 1;
          documents.set(replaceOne.filter._id, { ...clone(replaceOne.replacement), _id: replaceOne.filter._id });
        }
        return { upsertedCount };
      },
      aggregate: (pipeline: Array<Record<string, any>>) => ({
        toArray: async () => {
          const [match, replaceWith, merge] = pipeline;
          if (!match?.$match || replaceWith?.$replaceWith !== '$doc' || !merge?.$merge)
            throw new Error('fake db: unsupported pipeline');
          const target = named(merge.$merge.into as string);
          for (const staged of [...documents.values()].filter((doc) => matches(doc, match.$match as Filter))) {
            const incoming = clone(staged.doc as Doc);
            const existing = target.get(incoming._id);
            target.set(
              incoming._id,
              existing ? applyWhenMatched(existing, incoming, merge.$merge.whenMatched) : incoming,
            );
          }
          return [];
        },
      }),
    };
  };
  return {
    collection,
    listCollections: () => ({ toArray: async () => [...store.keys()].map((name) => ({ name })) }),
    dropCollection: async (name: string) => store.delete(name),
  } as unknown as Db;
}
