import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { StorageAdapter } from '../adapters/storage.js';
import { DifyStorageError } from '../errors/storage-error.js';
import type { ConversationRecord, MessageRecord } from '../records/chat.js';
import {
  CONVERSATIONS,
  datasetNamed,
  MESSAGES,
  RUNS,
  type ArchiveDataset,
  type ArchiveDatasetName,
} from './dataset.js';
import type { RunRecord } from '../records/schema.js';
import { DifyConfigError } from '../errors/config-error.js';
import { codecOf, type ArchivePartFormat } from './part-format.js';
import { manifestsBetween, partitionParts, type ArchiveManifest, type ArchivePart } from './manifest.js';
import { newestEntry } from './partition-manifests.js';

export interface ArchiveReadOptions {
  /** Formats that decode parts written without NDJSON (`parquetArchiveFormat()` from `@dify-logs/parquet`). */
  formats?: ArchivePartFormat[];
}

/** The records of a part's bytes: gzip NDJSON, or the format that wrote it. */
export function partRecords<T = RunRecord>(
  part: ArchivePart,
  bytes: Uint8Array,
  options: ArchiveReadOptions,
  adapter: string,
  dataset: ArchiveDataset<T> = RUNS as ArchiveDataset<unknown> as ArchiveDataset<T>,
): AsyncIterable<T> {
  if (part.format === undefined) return dataset.read(inflate(part.key, bytes, adapter), part.key, adapter);
  const format = options.formats?.find((each) => each.format === part.format);
  const codec = format && codecOf(format, dataset);
  if (!codec?.decode)
    throw new DifyConfigError(
      'storage.archiveFormats',
      `archive part ${part.key} is ${part.format}; reading it needs the ${part.format} archive format ` +
        (format ? `with a ${dataset.name} decoder` : `(for parquet: parquetArchiveFormat() from @dify-logs/parquet)`),
    );
  return codec.decode(bytes, part.key);
}

export interface ArchiveQuery {
  /** First and last UTC day (inclusive), `YYYY-MM-DD` or ISO times. */
  from: string;
  to: string;
  job?: string;
  app?: string;
}

/**
 * Every partition in the range (by job, app, day): its newest manifest, with the parts of all its manifests (see
 * `partitionParts`; normally the newest one's) and their record count. Of runs or of another dataset.
 */
export async function listPartitions(
  storage: StorageAdapter,
  query: ArchiveQuery,
  dataset: { type: string } = RUNS,
): Promise<Array<{ key: string; manifest: ArchiveManifest }>> {
  const from = new Date(`${query.from.slice(0, 10)}T00:00:00.000Z`);
  const until = new Date(new Date(`${query.to.slice(0, 10)}T00:00:00.000Z`).getTime() + 86_400_000);
  const found = new Map<string, Array<{ key: string; manifest: ArchiveManifest }>>();
  const only = { job: query.job || undefined, app: query.app || undefined };
  for await (const entry of manifestsBetween(storage, from, until, only, dataset.type)) {
    const id = `${entry.manifest.job}\u0000${entry.manifest.app}\u0000${entry.manifest.day}`;
    const manifests = found.get(id);
    if (manifests) manifests.push(entry);
    else found.set(id, [entry]);
  }
  const partitions = [...found.values()].map((manifests) => {
    const newest = newestEntry(manifests);
    if (manifests.length === 1) return newest;
    const parts = partitionParts(manifests.map((entry) => entry.manifest));
    const records = parts.reduce((sum, part) => sum + part.records, 0);
    return { key: newest.key, manifest: { ...newest.manifest, parts, records } };
  });
  return partitions.sort(
    (a, b) =>
      a.manifest.day.localeCompare(b.manifest.day) ||
      a.manifest.app.localeCompare(b.manifest.app) ||
      a.manifest.job.localeCompare(b.manifest.job),
  );
}

/**
 * Streams the archived RunRecords of a range, partition by partition (oldest day first), as their manifests list
 * them (see `listPartitions`); a record archived twice in a partition (overlapping windows) comes out once.
 */
export function readArchive(
  storage: StorageAdapter,
  query: ArchiveQuery,
  options: ArchiveReadOptions = {},
): AsyncGenerator<RunRecord> {
  return readDataset(storage, query, options, RUNS);
}

/** Streams the archived chat messages of a range, as `readArchive` does runs (each message once). */
export function readArchivedMessages(storage: StorageAdapter, query: ArchiveQuery): AsyncGenerator<MessageRecord> {
  return readDataset(storage, query, {}, MESSAGES);
}

/**
 * Streams the archived conversations created in a range (each lives in the partition of the UTC day it was created),
 * each once: its newest version (by `updatedAt`), however many windows archived it.
 */
export function readArchivedConversations(
  storage: StorageAdapter,
  query: ArchiveQuery,
): AsyncGenerator<ConversationRecord> {
  return readDataset(storage, query, {}, CONVERSATIONS);
}

async function* readDataset<T>(
  storage: StorageAdapter,
  query: ArchiveQuery,
  options: ArchiveReadOptions,
  dataset: ArchiveDataset<T>,
): AsyncGenerator<T> {
  for (const { manifest } of await listPartitions(storage, query, dataset)) {
    const records = partitionRecords(storage, manifest, options, dataset);
    const { newer } = dataset;
    if (!newer) {
      const seen = new Set<string>();
      for await (const record of records) {
        const id = dataset.id(record);
        if (seen.has(id)) continue;
        seen.add(id);
        yield record;
      }
      continue;
    }
    // Records that change (conversations): a partition (one app, one day) is held to keep each one's newest version.
    const newest = new Map<string, T>();
    for await (const record of records) {
      const id = dataset.id(record);
      const kept = newest.get(id);
      if (kept === undefined || newer(record, kept)) newest.set(id, record);
    }
    yield* newest.values();
  }
}

/** The records of a partition's parts, in the order the manifest lists them (the order they were written). */
async function* partitionRecords<T>(
  storage: StorageAdapter,
  manifest: ArchiveManifest,
  options: ArchiveReadOptions,
  dataset: ArchiveDataset<T>,
): AsyncGenerator<T> {
  for (const part of manifest.parts)
    yield* partRecords(part, await storage.read(part.key), options, storage.name, dataset);
}

/** A part's NDJSON bytes; a DifyStorageError naming the part when they are not gzip. */
function inflate(key: string, bytes: Uint8Array, adapter: string): Buffer {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new DifyStorageError(
      adapter,
      'invalid_object',
      `${key} is not a gzip archive part (${(error as Error).message})`,
      { key, cause: error },
    );
  }
}

export interface ArchiveProblem {
  manifest: string;
  part?: string;
  problem: 'missing' | 'checksum' | 'size' | 'records' | 'unreadable';
  detail: string;
}

/**
 * Checks every part the partitions of the range hold (see `listPartitions`): present, same size, same SHA-256, same
 * record count; and every copy of a part in another format (Parquet): present, same size and SHA-256, and, when its
 * format is among `options.formats`, the part's record count.
 */
export async function verifyArchive(
  storage: StorageAdapter,
  query: ArchiveQuery,
  options: ArchiveReadOptions & { dataset?: ArchiveDatasetName } = {},
): Promise<{ partitions: number; parts: number; records: number; problems: ArchiveProblem[] }> {
  const problems: ArchiveProblem[] = [];
  let parts = 0;
  let records = 0;
  const dataset = datasetNamed(options.dataset) as ArchiveDataset<unknown>;
  const partitions = await listPartitions(storage, query, dataset);
  for (const { key, manifest } of partitions) {
    for (const part of manifest.parts) {
      parts += 1;
      let bytes: Uint8Array;
      try {
        bytes = await storage.read(part.key);
      } catch (error) {
        problems.push({
          manifest: key,
          part: part.key,
          problem: 'missing',
          detail: error instanceof Error ? error.message : String(error),
        });
        continue;
      }
      if (bytes.length !== part.bytes)
        problems.push({
          manifest: key,
          part: part.key,
          problem: 'size',
          detail: `${bytes.length} bytes, the manifest says ${part.bytes}`,
        });
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (sha256 !== part.sha256) {
        problems.push({
          manifest: key,
          part: part.key,
          problem: 'checksum',
          detail: `SHA-256 ${sha256.slice(0, 12)}…, the manifest says ${part.sha256.slice(0, 12)}…`,
        });
        continue;
      }
      for (const alternate of part.alternates ?? []) {
        try {
          const other = await storage.read(alternate.key);
          const digest = createHash('sha256').update(other).digest('hex');
          if (other.length !== alternate.bytes || digest !== alternate.sha256) {
            problems.push({
              manifest: key,
              part: alternate.key,
              problem: 'checksum',
              detail:
                `the ${alternate.format} copy has ${other.length} bytes, SHA-256 ${digest.slice(0, 12)}…; ` +
                `the manifest says ${alternate.bytes}, ${alternate.sha256.slice(0, 12)}…`,
            });
            continue;
          }
          // A copy written short from the start has the checksum the manifest recorded: its records are counted too,
          // when its format is registered (readers given only the copy read what it holds).
          const format = options.formats?.find((each) => each.format === alternate.format);
          if (!format || !codecOf(format, dataset)?.decode) continue;
          const copy = { ...part, key: alternate.key, format: alternate.format };
          const copied = await countRecords(partRecords(copy, other, options, storage.name, dataset)).catch(
            (error: unknown) => error as Error,
          );
          if (copied instanceof Error)
            problems.push({ manifest: key, part: alternate.key, problem: 'unreadable', detail: copied.message });
          else if (copied !== part.records)
            problems.push({
              manifest: key,
              part: alternate.key,
              problem: 'records',
              detail: `the ${alternate.format} copy has ${copied} records, the manifest says ${part.records}`,
            });
        } catch (error) {
          problems.push({
            manifest: key,
            part: alternate.key,
            problem: 'missing',
            detail: error instanceof Error ? error.message : String(error),
          });
        }
      }
      try {
        let lines = 0;
        if (part.format === undefined) {
          const text = gunzipSync(bytes).toString('utf8');
          lines = text.length === 0 ? 0 : text.split('\n').filter((line) => line !== '').length;
        } else {
          lines = await countRecords(partRecords(part, bytes, options, storage.name, dataset));
        }
        records += lines;
        if (lines !== part.records)
          problems.push({
            manifest: key,
            part: part.key,
            problem: 'records',
            detail: `${lines} records, the manifest says ${part.records}`,
          });
      } catch (error) {
        problems.push({
          manifest: key,
          part: part.key,
          problem: 'unreadable',
          detail: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
  return { partitions: partitions.length, parts, records, problems };
}

async function countRecords(records: AsyncIterable<unknown>): Promise<number> {
  let count = 0;
  for await (const _record of records) count += 1;
  return count;
}
