import { z } from 'zod';
import { compactTimestamp } from '../adapters/keys.js';
import type { SaveRequest, StorageAdapter, StoredObject } from '../adapters/storage.js';
import { DifyStorageError } from '../errors/storage-error.js';

export const ARCHIVE_TYPE = 'archive';
export const MANIFEST_EXTENSION = 'manifest.json';
/** Metadata of every archive object: when it was written (ISO-8601, the writer's wall clock). */
export const WRITTEN_AT = 'written-at';

/** One object of a partition: gzip NDJSON, or another format when the archive is written without NDJSON. */
export interface ArchivePart {
  key: string;
  /** Absent: gzip NDJSON. Otherwise the `ArchivePartFormat` that wrote it (`parquet`), needed to read it. */
  format?: string;
  /** The pipeline run that wrote it, and the window it covered. */
  runId: string;
  window: { from: string; to: string };
  records: number;
  firstLoggedAt: string | null;
  lastLoggedAt: string | null;
  /** Size and SHA-256 of the stored (compressed or encoded) bytes. */
  bytes: number;
  sha256: string;
  /** The same records in other formats, beside the NDJSON part (`parquet`). */
  alternates?: ArchiveAlternate[];
}

/** A part's records in another format (written by an `ArchivePartFormat`). */
export interface ArchiveAlternate {
  format: string;
  key: string;
  bytes: number;
  sha256: string;
}

/**
 * The manifest of a partition (one job, one app, one UTC day): the parts that make it up. The newest
 * manifest of a partition is the truth (see `partitionParts` for partitions with more than one); parts no manifest
 * lists are leftovers of replaced or failed runs.
 */
export interface ArchiveManifest {
  schemaVersion: 1;
  /** RunRecord schema of the lines (records.md). */
  recordSchema: 1;
  job: string;
  app: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  /**
   * What the parts hold: absent for runs (RunRecords), `messages` for chat messages (MessageRecords),
   * `conversations` for conversations (ConversationRecords).
   */
  dataset?: 'messages' | 'conversations';
  generatedAt: string;
  runId: string;
  records: number;
  parts: ArchivePart[];
  /**
   * The manifests (keys) its writer built it from: it replaces them. A manifest that does not list another one of its
   * partition was written beside it (two writers at once) and does not replace it. Absent in manifests of earlier
   * releases: those replace every older manifest of their partition.
   */
  basedOn?: string[];
}

/** The UTC day of a log time. */
export function dayOf(iso: string): string {
  return iso.slice(0, 10);
}

export function dayStart(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

/**
 * A part of `previous` survives a new write unless the new run's window covers its whole window (a re-run replaces
 * it).
 */
export function survives(part: ArchivePart, window: { from: string; to: string }): boolean {
  return !(
    Date.parse(window.from) <= Date.parse(part.window.from) && Date.parse(part.window.to) <= Date.parse(window.to)
  );
}

/** Orders manifests newest first (generation time, then run id). */
export function newestFirst(a: ArchiveManifest, b: ArchiveManifest): number {
  return b.generatedAt.localeCompare(a.generatedAt) || b.runId.localeCompare(a.runId);
}

export const manifestStamp = (date: Date) => compactTimestamp(date);

/**
 * The parts a partition holds, from every manifest stored for it. Normally there is one. A manifest that lists a part
 * of another run saw the manifests before it and is the whole truth. A manifest that lists only its own run's parts
 * may not have seen them: releases before the storage-key fix could not find a partition's previous manifest, so each
 * incremental run wrote a manifest of its own parts, and readers then saw only the last run's records. Those
 * manifests are replayed oldest first: each drops the parts its run's window covers (a re-run) and adds its own. For
 * one manifest, or manifests that each saw the one before, the result is the newest manifest's parts.
 */
export function partitionParts(manifests: readonly ArchiveManifest[]): ArchivePart[] {
  let parts: ArchivePart[] = [];
  for (const manifest of [...manifests].sort((a, b) => newestFirst(b, a))) {
    const own = manifest.parts.filter((part) => part.runId === manifest.runId);
    if (own.length < manifest.parts.length || own.length === 0) {
      parts = [...manifest.parts];
      continue;
    }
    const listed = new Set(own.map((part) => part.key));
    parts = [...parts.filter((part) => !listed.has(part.key) && survives(part, own[0]!.window)), ...manifest.parts];
  }
  return parts;
}

/**
 * Stores one object of a partition (a part, a copy, a manifest) under the dataset's type, dated by its day, with the
 * partition in its metadata and `written-at` on the writer's wall clock (how `removeOrphanParts` tells a part a failed
 * run left from one being written).
 */
export function saveArchiveObject(
  storage: StorageAdapter,
  type: string,
  partition: { job: string; app: string; day: string; runId: string },
  object: { extension: string; body: SaveRequest['body']; contentType: string },
): Promise<StoredObject> {
  const { job, app, day, runId } = partition;
  return storage.saveData({
    type,
    job,
    app,
    runId,
    createdAt: dayStart(day),
    ...object,
    metadata: { job, app, day, [WRITTEN_AT]: new Date().toISOString() },
  });
}

/**
 * The archive manifests stored for UTC days in `[from, until)`, optionally of one job and app (by the
 * objects' metadata, before any manifest is read), parsed; other schema versions are skipped. `type` is the
 * dataset's storage type (`archive` for runs, `archive-messages`, `archive-conversations`).
 */
export async function* manifestsBetween(
  storage: StorageAdapter,
  from: Date,
  until: Date,
  only: { job?: string; app?: string } = {},
  type: string = ARCHIVE_TYPE,
): AsyncGenerator<{ key: string; manifest: ArchiveManifest }> {
  for await (const object of storage.list({ kind: 'data', type, newerThan: from, olderThan: until })) {
    if (!object.key.endsWith(`.${MANIFEST_EXTENSION}`)) continue;
    if (
      (only.job !== undefined && object.metadata.job !== only.job) ||
      (only.app !== undefined && object.metadata.app !== only.app)
    )
      continue;
    const manifest = parseManifest(object.key, await storage.read(object.key), storage.name);
    if (manifest) yield { key: object.key, manifest };
  }
}

const timeWindow = z.object({ from: z.string(), to: z.string() });
const ManifestSchema = z.looseObject({
  schemaVersion: z.literal(1),
  recordSchema: z.literal(1),
  job: z.string(),
  app: z.string(),
  day: z.string(),
  dataset: z.enum(['messages', 'conversations']).optional(),
  generatedAt: z.string(),
  runId: z.string(),
  records: z.number(),
  basedOn: z.array(z.string()).optional(),
  parts: z.array(
    z.looseObject({
      key: z.string(),
      runId: z.string(),
      window: timeWindow,
      records: z.number(),
      firstLoggedAt: z.string().nullable(),
      lastLoggedAt: z.string().nullable(),
      bytes: z.number(),
      sha256: z.string(),
      alternates: z
        .array(z.looseObject({ format: z.string(), key: z.string(), bytes: z.number(), sha256: z.string() }))
        .optional(),
    }),
  ),
});

/**
 * A stored manifest, checked: undefined for another schema version (skipped), a DifyStorageError
 * naming the object and the field for anything that is not a manifest this version wrote.
 */
export function parseManifest(key: string, bytes: Uint8Array, adapter: string): ArchiveManifest | undefined {
  const invalid = (problem: string) =>
    new DifyStorageError(adapter, 'invalid_object', `${key} is not an archive manifest: ${problem}`, { key });
  let value: unknown;
  try {
    value = JSON.parse(
      Buffer.from(bytes)
        .toString('utf8')
        .replace(/^\uFEFF/, ''),
    );
  } catch {
    throw invalid('not JSON');
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    (value as { schemaVersion?: unknown }).schemaVersion !== 1 &&
    typeof (value as { schemaVersion?: unknown }).schemaVersion === 'number'
  )
    return undefined;
  const result = ManifestSchema.safeParse(value);
  if (result.success) return result.data as ArchiveManifest;
  const issue = result.error.issues[0];
  throw invalid(`field ${issue?.path.map(String).join('.') || '(top level)'}: ${issue?.message ?? 'invalid'}`);
}
