import { compactTimestamp } from '../adapters/keys.js';
import type { StorageAdapter } from '../adapters/storage.js';

export const ARCHIVE_TYPE = 'archive';
export const MANIFEST_EXTENSION = 'manifest.json';

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
 * manifest of a partition is the truth; parts it does not list are leftovers of replaced or failed runs.
 */
export interface ArchiveManifest {
  schemaVersion: 1;
  /** RunRecord schema of the lines (records.md). */
  recordSchema: 1;
  job: string;
  app: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  generatedAt: string;
  runId: string;
  records: number;
  parts: ArchivePart[];
}

/** The UTC day of a log time. */
export function dayOf(iso: string): string {
  return iso.slice(0, 10);
}

export function dayStart(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

/** A part of `previous` survives a new write unless the new run's window covers its whole window (a re-run replaces it). */
export function survives(part: ArchivePart, window: { from: string; to: string }): boolean {
  return !(Date.parse(window.from) <= Date.parse(part.window.from) && Date.parse(part.window.to) <= Date.parse(window.to));
}

/** Orders manifests newest first (generation time, then run id). */
export function newestFirst(a: ArchiveManifest, b: ArchiveManifest): number {
  return b.generatedAt.localeCompare(a.generatedAt) || b.runId.localeCompare(a.runId);
}

export const manifestStamp = (date: Date) => compactTimestamp(date);

/**
 * The archive manifests stored for UTC days in `[from, until)`, optionally of one job and app (by the
 * objects' metadata, before any manifest is read), parsed; other schema versions are skipped.
 */
export async function* manifestsBetween(storage: StorageAdapter, from: Date, until: Date, only: { job?: string; app?: string } = {}): AsyncGenerator<{ key: string; manifest: ArchiveManifest }> {
  for await (const object of storage.list({ kind: 'data', type: ARCHIVE_TYPE, newerThan: from, olderThan: until })) {
    if (!object.key.endsWith(`.${MANIFEST_EXTENSION}`)) continue;
    if ((only.job !== undefined && object.metadata.job !== only.job) || (only.app !== undefined && object.metadata.app !== only.app)) continue;
    const manifest = JSON.parse(Buffer.from(await storage.read(object.key)).toString('utf8')) as ArchiveManifest;
    if (manifest.schemaVersion === 1) yield { key: object.key, manifest };
  }
}
