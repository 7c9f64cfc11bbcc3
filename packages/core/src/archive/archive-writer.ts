import type { StorageAdapter, StoredObject } from '../adapters/storage.js';
import type { Logger } from '../logging/logger.js';
import { silentLogger } from '../logging/logger.js';
import type { RunRecord } from '../records/schema.js';
import { ARCHIVE_TYPE, dayOf, dayStart, MANIFEST_EXTENSION, manifestsBetween, newestFirst, survives, type ArchiveManifest, type ArchivePart } from './manifest.js';
import { createPartStream } from './part-stream.js';

export interface ArchiveWriterOptions {
  job: string;
  /** Id of the pipeline run writing. */
  runId: string;
  /** The window the run covered: a later run whose window covers it replaces its parts. */
  window: { from: string; to: string };
  now?: () => Date;
  logger?: Logger;
}

export interface ArchiveResult {
  records: number;
  parts: StoredObject[];
  manifests: StoredObject[];
}

interface OpenPart {
  app: string;
  day: string;
  stream: ReturnType<typeof createPartStream>;
  saved: Promise<StoredObject>;
  records: number;
  first: string | null;
  last: string | null;
}

/**
 * Writes a run's records as gzip NDJSON partitioned by app and UTC day, then one manifest per
 * partition. Records of one app arrive in log order, so one part is open at a time. Nothing is
 * visible as archived until the manifests are written; `abort` (or a failed `finish`) deletes the
 * parts written. A partition's new manifest keeps the previous manifest's parts except those whose
 * window this run covers (a re-run of a window replaces them), then older manifests and replaced
 * parts are deleted.
 */
export function createArchiveWriter(storage: StorageAdapter, options: ArchiveWriterOptions) {
  const logger = (options.logger ?? silentLogger).child({ component: 'archive' });
  const now = options.now ?? (() => new Date());
  const written: Array<{ part: ArchivePart; object: StoredObject; app: string; day: string }> = [];
  let open: OpenPart | undefined;
  let sequence = 0;
  let records = 0;

  const save = (app: string, day: string, extension: string, body: StoredObjectBody, contentType: string) =>
    storage.saveData({ type: ARCHIVE_TYPE, job: options.job, app, runId: options.runId, createdAt: dayStart(day), extension, contentType, body, metadata: { job: options.job, app, day } });

  async function close(part: OpenPart): Promise<void> {
    part.stream.end();
    const object = await part.saved;
    const { bytes, sha256 } = part.stream.digest();
    written.push({ app: part.app, day: part.day, object, part: { key: object.key, runId: options.runId, window: options.window, records: part.records, firstLoggedAt: part.first, lastLoggedAt: part.last, bytes, sha256 } });
  }

  function start(app: string, day: string): OpenPart {
    sequence += 1;
    const stream = createPartStream();
    const saved = save(app, day, `part-${sequence}.ndjson.gz`, stream.body, 'application/gzip');
    saved.catch((error: unknown) => stream.fail(error instanceof Error ? error : new Error(String(error))));
    return { app, day, stream, saved, records: 0, first: null, last: null };
  }

  async function removeWritten(): Promise<void> {
    for (const { object } of written) await storage.delete(object.key).catch(() => undefined);
    written.length = 0;
  }

  return {
    /** Appends a record to its partition's part (waits when the upload is behind). */
    async add(record: RunRecord): Promise<void> {
      const day = dayOf(record.loggedAt);
      if (!open || open.app !== record.appId || open.day !== day) {
        if (open) await close(open);
        open = start(record.appId, day);
      }
      await open.stream.write(`${JSON.stringify(record)}\n`, open.saved);
      open.records += 1;
      records += 1;
      if (open.first === null || record.loggedAt < open.first) open.first = record.loggedAt;
      if (open.last === null || record.loggedAt > open.last) open.last = record.loggedAt;
    },
    /** Closes the last part and writes the manifests; on failure removes what this run wrote and rethrows. */
    async finish(): Promise<ArchiveResult> {
      try {
        if (open) await close(open);
        open = undefined;
        const manifests: StoredObject[] = [];
        const partitions = new Map<string, typeof written>();
        for (const entry of written) {
          const id = `${entry.app}\u0000${entry.day}`;
          partitions.set(id, [...(partitions.get(id) ?? []), entry]);
        }
        const obsolete: string[] = [];
        for (const entries of partitions.values()) {
          const { app, day } = entries[0]!;
          const previous = await readManifests(storage, options.job, app, day);
          const kept = previous[0]?.manifest.parts.filter((part) => survives(part, options.window)) ?? [];
          for (const old of previous) {
            obsolete.push(old.key);
            for (const part of old.manifest.parts) if (!kept.some((keep) => keep.key === part.key)) obsolete.push(part.key);
          }
          const parts = [...kept, ...entries.map((entry) => entry.part)];
          const manifest: ArchiveManifest = { schemaVersion: 1, recordSchema: 1, job: options.job, app, day, generatedAt: now().toISOString(), runId: options.runId, records: parts.reduce((sum, part) => sum + part.records, 0), parts };
          manifests.push(await save(app, day, MANIFEST_EXTENSION, `${JSON.stringify(manifest, null, 2)}\n`, 'application/json'));
        }
        // The new manifests are the truth now: what they no longer list can go.
        for (const key of new Set(obsolete)) await storage.delete(key).catch((error: unknown) => logger.warn({ key, err: String(error) }, 'could not delete a replaced archive object'));
        return { records, parts: written.map((entry) => entry.object), manifests };
      } catch (error) {
        if (open) open.stream.fail(error instanceof Error ? error : new Error(String(error)));
        await open?.saved.catch(() => undefined);
        open = undefined;
        await removeWritten();
        throw error;
      }
    },
    /** Gives up: deletes every part this run wrote (no manifest was written). */
    async abort(error: Error = new Error('archive aborted')): Promise<void> {
      if (open) {
        open.stream.fail(error);
        await open.saved.catch(() => undefined);
        open = undefined;
      }
      await removeWritten();
    },
  };
}

type StoredObjectBody = string | Uint8Array | AsyncIterable<Uint8Array>;

/** The manifests of a partition, newest first (normally one; more only after an interrupted replace). */
export async function readManifests(storage: StorageAdapter, job: string, app: string, day: string): Promise<Array<{ key: string; manifest: ArchiveManifest }>> {
  const start = dayStart(day);
  const found: Array<{ key: string; manifest: ArchiveManifest }> = [];
  for await (const entry of manifestsBetween(storage, start, new Date(start.getTime() + 1), { job, app })) found.push(entry);
  return found.sort((a, b) => newestFirst(a.manifest, b.manifest));
}
