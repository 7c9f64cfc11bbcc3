import type { StorageAdapter, StoredObject } from '../adapters/storage.js';
import type { Logger } from '../logging/logger.js';
import { silentLogger } from '../logging/logger.js';
import type { RunRecord } from '../records/schema.js';
import { dayOf, saveArchiveObject, type ArchivePart } from './manifest.js';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSpool, type Spool } from '../fs/spool.js';
import { readRunRecords } from '../records/ndjson.js';
import type { ArchiveAlternate } from './manifest.js';
import { createPartStream } from './part-stream.js';
import { codecOf, type ArchivePartFormat } from './part-format.js';
import { DifyConfigError } from '../errors/config-error.js';
import { datasetNamed, type ArchiveDataset, type ArchiveDatasetName } from './dataset.js';
import { commitPartition } from './commit-partition.js';
import type { ConversationRecord, MessageRecord } from '../records/chat.js';

export type { ArchivePartFormat } from './part-format.js';
export { readManifests } from './partition-manifests.js';

export interface ArchiveWriterOptions {
  /**
   * What is archived: runs (RunRecords, the default), chat messages (MessageRecords) or conversations
   * (ConversationRecords). A chat part is always gzip NDJSON (the chat readers read it), with copies in those of
   * `formats` that hold its dataset (`ArchivePartFormat.datasets`).
   */
  dataset?: ArchiveDatasetName;
  job: string;
  /** Id of the pipeline run writing. */
  runId: string;
  /** The window the run covered: a later run whose window covers it replaces its parts. */
  window: { from: string; to: string };
  now?: () => Date;
  logger?: Logger;
  /** Formats each part is also written in (e.g. Parquet); the manifest lists them as the part's `alternates`. */
  formats?: ArchivePartFormat[];
  /**
   * `false`: no gzip NDJSON; each part is written in the first of `formats` (listed with its `format` in the
   * manifest) and the other formats are its alternates. Default `true`. Runs only: chat parts keep their NDJSON.
   */
  ndjson?: boolean;
}

export interface ArchiveResult {
  records: number;
  parts: StoredObject[];
  manifests: StoredObject[];
}

interface OpenPart {
  app: string;
  day: string;
  /** The gzip NDJSON upload; absent when the archive is written without NDJSON. */
  stream?: ReturnType<typeof createPartStream>;
  saved?: Promise<StoredObject>;
  records: number;
  first: string | null;
  last: string | null;
  /** The part's records for the other formats, encoded when the part closes. */
  spool?: Spool;
  sequence: number;
}

/**
 * Writes a run's records as gzip NDJSON partitioned by app and UTC day, then one manifest per
 * partition. Runs of one app arrive in log order, so one part is open at a time; messages arrive by
 * conversation, so a few are (`dataset.openParts`, the least recently used closed first). Nothing is
 * visible as archived until the manifests are written; `abort` (or a failed `finish`) deletes the
 * parts written. A partition's new manifest keeps the previous manifest's parts except those whose
 * window this run covers (a re-run of a window replaces them), then older manifests and replaced
 * parts are deleted.
 */
export interface ArchiveWriter<T> {
  /** Appends a record to its partition's part (waits when the upload is behind). */
  add(record: T): Promise<void>;
  /** Closes the open parts and writes the manifests; on failure removes what this run wrote and rethrows. */
  finish(): Promise<ArchiveResult>;
  /** Gives up: deletes every part this run wrote (no manifest was written). */
  abort(error?: Error): Promise<void>;
}

export function createArchiveWriter(
  storage: StorageAdapter,
  options: ArchiveWriterOptions & { dataset: 'messages' },
): ArchiveWriter<MessageRecord>;
export function createArchiveWriter(
  storage: StorageAdapter,
  options: ArchiveWriterOptions & { dataset: 'conversations' },
): ArchiveWriter<ConversationRecord>;
export function createArchiveWriter(
  storage: StorageAdapter,
  options: ArchiveWriterOptions & { dataset?: 'runs' },
): ArchiveWriter<RunRecord>;
export function createArchiveWriter(
  storage: StorageAdapter,
  options: ArchiveWriterOptions,
): ArchiveWriter<RunRecord> | ArchiveWriter<MessageRecord> | ArchiveWriter<ConversationRecord> {
  return createDatasetWriter(
    storage,
    datasetNamed(options.dataset) as ArchiveDataset<unknown>,
    options,
  ) as ArchiveWriter<RunRecord | MessageRecord | ConversationRecord>;
}

/** `createArchiveWriter` for a dataset given as itself (internal: code generic over datasets). */
export function createDatasetWriter<T>(
  storage: StorageAdapter,
  dataset: ArchiveDataset<T>,
  options: ArchiveWriterOptions,
): ArchiveWriter<T> {
  const logger = (options.logger ?? silentLogger).child({ component: 'archive', dataset: dataset.name });
  const now = options.now ?? (() => new Date());
  const written: Array<{ part: ArchivePart; object: StoredObject; app: string; day: string }> = [];
  // A chat dataset gets copies in the formats that hold it; its part stays gzip NDJSON (what its readers read).
  const formats = (options.formats ?? []).filter((format) => codecOf(format, dataset));
  const ndjson = dataset.name === 'runs' ? (options.ndjson ?? true) : true;
  if (!ndjson && formats.length === 0)
    throw new DifyConfigError(
      'storage.archiveFormats',
      'an archive written without NDJSON needs another format (e.g. [parquet])',
    );
  let spoolDir: Promise<string> | undefined;
  /** The parts being written, by app and day, least recently used first. */
  const open = new Map<string, OpenPart>();
  let sequence = 0;
  let records = 0;

  // `written-at` is the wall clock (not the run's): how `removeOrphanParts` tells a part left by a failed run from one
  // being written.
  const save = (app: string, day: string, extension: string, body: StoredObjectBody, contentType: string) =>
    saveArchiveObject(
      storage,
      dataset.type,
      { job: options.job, app, day, runId: options.runId },
      { extension, body, contentType },
    );

  async function close(part: OpenPart): Promise<void> {
    const common = {
      runId: options.runId,
      window: options.window,
      records: part.records,
      firstLoggedAt: part.first,
      lastLoggedAt: part.last,
    };
    if (part.stream && part.saved) {
      part.stream.end();
      const object = await part.saved;
      const entry = {
        app: part.app,
        day: part.day,
        object,
        part: { key: object.key, ...common, ...part.stream.digest() } as ArchivePart,
      };
      written.push(entry);
      if (part.spool)
        entry.part.alternates = (await writeEncoded(part, part.spool)).map(
          ({ object: _object, ...alternate }) => alternate,
        );
      return;
    }
    // Without NDJSON: the first format is the part, the others its alternates.
    const [primary, ...others] = await writeEncoded(part, part.spool!);
    const entryPart: ArchivePart = {
      key: primary!.key,
      format: primary!.format,
      ...common,
      bytes: primary!.bytes,
      sha256: primary!.sha256,
    };
    if (others.length > 0) entryPart.alternates = others.map(({ object: _object, ...alternate }) => alternate);
    written.push({ app: part.app, day: part.day, object: primary!.object, part: entryPart });
  }

  /** Encodes the closed part's records in every other format and stores them (all removed again if one fails). */
  async function writeEncoded(
    part: OpenPart,
    spool: Spool,
  ): Promise<Array<ArchiveAlternate & { object: StoredObject }>> {
    const encodedParts: Array<ArchiveAlternate & { object: StoredObject }> = [];
    try {
      await spool.close();
      for (const format of formats) {
        const encoded = await codecOf(format, dataset)!.encode(spooledRecords(dataset, spool, storage.name));
        const object = await save(
          part.app,
          part.day,
          `part-${part.sequence}.${format.extension}`,
          encoded,
          format.contentType,
        );
        encodedParts.push({
          format: format.format,
          key: object.key,
          bytes: encoded.length,
          sha256: createHash('sha256').update(encoded).digest('hex'),
          object,
        });
      }
      return encodedParts;
    } catch (error) {
      for (const encodedPart of encodedParts) await storage.delete(encodedPart.key).catch(() => undefined);
      throw error;
    } finally {
      await spool.dispose();
    }
  }

  async function start(app: string, day: string): Promise<OpenPart> {
    sequence += 1;
    const spool =
      formats.length > 0
        ? createSpool(await (spoolDir ??= mkdtemp(join(tmpdir(), 'dify-logs-archive-'))), `part-${sequence}.ndjson`)
        : undefined;
    const opened: OpenPart = { app, day, records: 0, first: null, last: null, sequence, ...(spool ? { spool } : {}) };
    if (ndjson) {
      const stream = createPartStream();
      const saved = save(app, day, `part-${sequence}.ndjson.gz`, stream.body, 'application/gzip');
      saved.catch((error: unknown) => stream.fail(error instanceof Error ? error : new Error(String(error))));
      Object.assign(opened, { stream, saved });
    }
    return opened;
  }

  async function removeWritten(): Promise<void> {
    for (const { object, part } of written) {
      await storage.delete(object.key).catch(() => undefined);
      for (const alternate of part.alternates ?? []) await storage.delete(alternate.key).catch(() => undefined);
    }
    written.length = 0;
  }

  async function removeSpools(): Promise<void> {
    for (const part of open.values()) await part.spool?.dispose().catch(() => undefined);
    if (spoolDir) await rm(await spoolDir, { recursive: true, force: true }).catch(() => undefined);
  }

  /** Stops the uploads of the parts still open (a failure): their objects are taken back with the rest. */
  async function failOpen(error: Error): Promise<void> {
    for (const part of open.values()) {
      part.stream?.fail(error);
      await part.saved?.catch(() => undefined);
    }
    open.clear();
  }

  return {
    async add(record: T): Promise<void> {
      const app = dataset.app(record);
      const time = dataset.time(record);
      const day = dayOf(time);
      const id = `${app}\u0000${day}`;
      let part = open.get(id);
      if (part) {
        open.delete(id);
      } else {
        // Runs come in log order per app (one part open at a time); messages come by conversation (a few).
        while (open.size >= dataset.openParts) {
          const [oldest, least] = open.entries().next().value as [string, OpenPart];
          open.delete(oldest);
          await close(least);
        }
        part = await start(app, day);
      }
      open.set(id, part);
      const line = `${JSON.stringify(record)}\n`;
      if (part.stream && part.saved) await part.stream.write(line, part.saved);
      if (part.spool) {
        const pending = part.spool.write(line);
        if (pending) await pending;
      }
      part.records += 1;
      records += 1;
      if (part.first === null || time < part.first) part.first = time;
      if (part.last === null || time > part.last) part.last = time;
    },
    async finish(): Promise<ArchiveResult> {
      try {
        for (const [id, part] of [...open]) {
          open.delete(id);
          await close(part);
        }
        const manifests: StoredObject[] = [];
        const partitions = new Map<string, typeof written>();
        for (const entry of written) {
          const id = `${entry.app}\u0000${entry.day}`;
          partitions.set(id, [...(partitions.get(id) ?? []), entry]);
        }
        const obsolete: string[] = [];
        for (const entries of partitions.values()) {
          const { app, day } = entries[0]!;
          const result = await commitPartition(
            {
              storage,
              type: dataset.type,
              dataset: dataset.name,
              job: options.job,
              runId: options.runId,
              window: options.window,
              now,
              save: (extension, body) => save(app, day, extension, body, 'application/json'),
            },
            app,
            day,
            entries.map((entry) => entry.part),
          );
          if (result.manifest) manifests.push(result.manifest);
          obsolete.push(...result.obsolete);
        }
        // The new manifests are the truth now: what they no longer list can go.
        for (const key of new Set(obsolete))
          await storage
            .delete(key)
            .catch((error: unknown) =>
              logger.warn({ key, err: String(error) }, 'could not delete a replaced archive object'),
            );
        await removeSpools();
        return { records, parts: written.map((entry) => entry.object), manifests };
      } catch (error) {
        await removeSpools();
        await failOpen(error instanceof Error ? error : new Error(String(error)));
        await removeWritten();
        throw error;
      }
    },
    async abort(error: Error = new Error('archive aborted')): Promise<void> {
      await removeSpools();
      await failOpen(error);
      await removeWritten();
    },
  };
}

type StoredObjectBody = string | Uint8Array | AsyncIterable<Uint8Array>;

/** The records of a part's spool: runs streamed line by line, chat records (small) read whole. */
async function* spooledRecords<T>(dataset: ArchiveDataset<T>, spool: Spool, adapter: string): AsyncGenerator<T> {
  if (dataset.name === 'runs') {
    yield* readRunRecords(spool.read(), spool.path) as AsyncIterable<unknown> as AsyncIterable<T>;
    return;
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of spool.read()) chunks.push(chunk);
  yield* dataset.read(Buffer.concat(chunks), spool.path, adapter);
}
