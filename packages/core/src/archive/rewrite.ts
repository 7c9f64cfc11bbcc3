import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { StorageAdapter, StoredObject } from '../adapters/storage.js';
import { DifyConfigError } from '../errors/config-error.js';
import type { Logger } from '../logging/logger.js';
import { silentLogger } from '../logging/logger.js';
import type { RunRecord } from '../records/schema.js';
import { listPartitions, partRecords, type ArchiveQuery, type ArchiveReadOptions } from './archive-reader.js';
import { codecOf, type ArchivePartFormat } from './part-format.js';
import {
  mergedManifest,
  referencedKeys,
  replacedKeys,
  roundExtension,
  writeHead,
  type HeadResult,
  type ManifestEntry,
} from './partition-manifests.js';
import { RUNS, type ArchiveDataset } from './dataset.js';
import { saveArchiveObject, type ArchiveAlternate, type ArchiveManifest, type ArchivePart } from './manifest.js';

/** What becomes of one archived record: the same object when it stays as it is, a new one, or null to remove it. */
export type RecordRewrite<T = RunRecord> = (record: T) => T | null;

export interface RewriteArchiveOptions<T = RunRecord> extends ArchiveReadOptions {
  /** Runs (the default) or `MESSAGES`. */
  dataset?: ArchiveDataset<T>;
  /** Names the objects written (their keys carry it) and the new manifests' `runId`. */
  runId: string;
  /** Count what would change, write nothing. */
  dryRun?: boolean;
  now?: () => Date;
  logger?: Logger;
}

/** What a rewrite changed (or, in a dry run, would change) in one partition. */
export interface RewrittenPartition {
  job: string;
  app: string;
  day: string;
  /** Parts rewritten (a part left with no record is removed from the manifest instead). */
  parts: number;
  removed: number;
  changed: number;
  /** Records the partition holds afterwards. */
  records: number;
}

export interface RewriteArchiveResult {
  dryRun: boolean;
  /** Partitions read. */
  partitions: number;
  /** Only the partitions with something to change. */
  rewritten: RewrittenPartition[];
  removed: number;
  changed: number;
  /** Replaced objects that could not be deleted: they are no longer listed, but still hold the old records. */
  leftovers: string[];
}

/**
 * Applies `rewrite` to every record of a range of the partitioned archive, part by part. A part in which nothing
 * changes stays as it is; a changed part is written again under new keys, in its own format and with its Parquet (or
 * other) copies, keeping its window and the run that first wrote it, so a later run of that window still replaces it.
 * Each partition then gets a new manifest, and only then are its old manifest and replaced parts deleted: a failure
 * midway leaves the old manifest in force and removes what was written. `archive verify` passes afterwards. A pipeline
 * run archiving the same partition meanwhile loses nothing (see `MAX_ROUNDS`): the edit is applied again on top of its
 * manifest.
 */
export async function rewriteArchive<T = RunRecord>(
  storage: StorageAdapter,
  query: ArchiveQuery,
  rewrite: RecordRewrite<T>,
  options: RewriteArchiveOptions<T>,
): Promise<RewriteArchiveResult> {
  const dataset = (options.dataset ?? RUNS) as ArchiveDataset<T>;
  const logger = (options.logger ?? silentLogger).child({ component: 'archive-rewrite', dataset: dataset.name });
  const now = options.now ?? (() => new Date());
  const dryRun = options.dryRun ?? false;
  const partitions = await listPartitions(storage, query, dataset);
  const rewritten: RewrittenPartition[] = [];
  const leftovers: string[] = [];
  const counter = { sequence: 0 };
  for (const listed of partitions) {
    const { job, app, day } = listed.manifest;
    const partition = { job, app, day, runId: options.runId };
    const save = (extension: string, body: string | Uint8Array, contentType: string) =>
      saveArchiveObject(storage, dataset.type, partition, { extension, body, contentType });
    const written: StoredObject[] = [];
    const replaced = new Set<string>();
    let summary: RewrittenPartition | undefined;
    const build = async (base: readonly ManifestEntry[]): Promise<ArchiveManifest | undefined> => {
      if (base.length === 0) return undefined;
      const manifest = mergedManifest(base);
      const pass = await rewriteParts(storage, manifest, rewrite, options, dataset, counter, save, written, dryRun);
      for (const key of pass.replaced) replaced.add(key);
      // A later round builds on another writer's manifest: one built on this edit's holds its changes already (the
      // counts add up), one built beside it does not (this round counts them all again).
      const onTop = manifest.parts.some((part) => written.some((object) => object.key === part.key));
      if (pass.summary.parts > 0) summary = summary && onTop ? added(summary, pass.summary) : pass.summary;
      else summary = summary ? { ...summary, records: pass.summary.records } : pass.summary;
      if (pass.summary.parts === 0 || dryRun) return undefined;
      return { ...manifest, runId: options.runId, records: pass.summary.records, parts: pass.parts };
    };
    let result: HeadResult;
    try {
      result = await writeHead({
        storage,
        partition,
        type: dataset.type,
        now,
        save: (manifest, round) =>
          save(roundExtension(round), `${JSON.stringify(manifest, null, 2)}\n`, 'application/json'),
        build,
      });
    } catch (error) {
      for (const object of written) await storage.delete(object.key).catch(() => undefined);
      throw error;
    }
    if (!summary || summary.parts === 0) continue;
    rewritten.push(summary);
    if (dryRun) continue;
    // The head is the truth now: the manifests it replaces, the parts this edit replaced and those it wrote in an
    // earlier round can go, unless the head lists them.
    const keep = referencedKeys(result.head ? [result.head.manifest] : []);
    for (const key of new Set([...replacedKeys(result), ...replaced, ...written.map((object) => object.key)])) {
      if (keep.has(key)) continue;
      await storage.delete(key).catch((error: unknown) => {
        logger.warn({ key, err: String(error) }, 'could not delete a replaced archive object');
        leftovers.push(key);
      });
    }
  }
  return {
    dryRun,
    partitions: partitions.length,
    rewritten,
    removed: rewritten.reduce((sum, each) => sum + each.removed, 0),
    changed: rewritten.reduce((sum, each) => sum + each.changed, 0),
    leftovers,
  };
}

const pick = ({ job, app, day }: ArchiveManifest) => ({ job, app, day });

const added = (a: RewrittenPartition, b: RewrittenPartition): RewrittenPartition => ({
  ...b,
  parts: a.parts + b.parts,
  removed: a.removed + b.removed,
  changed: a.changed + b.changed,
});

/**
 * Applies `rewrite` to the records of `manifest`'s parts: a part in which nothing changes is kept as it is, a changed
 * one written again (into `written`; nothing in a dry run). Returns the parts afterwards, the counts, and the keys of
 * the parts (and copies) replaced.
 */
async function rewriteParts<T>(
  storage: StorageAdapter,
  manifest: ArchiveManifest,
  rewrite: RecordRewrite<T>,
  options: RewriteArchiveOptions<T>,
  dataset: ArchiveDataset<T>,
  counter: { sequence: number },
  save: (extension: string, body: string | Uint8Array, contentType: string) => Promise<StoredObject>,
  written: StoredObject[],
  dryRun: boolean,
): Promise<{ parts: ArchivePart[]; summary: RewrittenPartition; replaced: string[] }> {
  const summary: RewrittenPartition = { ...pick(manifest), parts: 0, removed: 0, changed: 0, records: 0 };
  const parts: ArchivePart[] = [];
  const replaced: string[] = [];
  for (const part of manifest.parts) {
    const kept: T[] = [];
    let touched = false;
    const bytes = await storage.read(part.key);
    for await (const record of partRecords(part, bytes, options, storage.name, dataset)) {
      const next = rewrite(record);
      if (next === null) summary.removed += 1;
      else if (next !== record) summary.changed += 1;
      if (next !== record) touched = true;
      if (next !== null) kept.push(next);
    }
    if (!touched) {
      parts.push(part);
      continue;
    }
    summary.parts += 1;
    replaced.push(part.key, ...(part.alternates ?? []).map((alternate) => alternate.key));
    if (kept.length === 0 || dryRun) {
      if (kept.length > 0) parts.push({ ...part, records: kept.length });
      continue;
    }
    counter.sequence += 1;
    parts.push(await writePart(part, kept, dataset, counter.sequence, options.formats ?? [], save, written));
  }
  summary.records = parts.reduce((sum, part) => sum + part.records, 0);
  return { parts, summary, replaced };
}

/** Writes `records` as the new form of `part`: the same format (gzip NDJSON or the one named), the same copies. */
async function writePart<T>(
  part: ArchivePart,
  records: T[],
  dataset: ArchiveDataset<T>,
  sequence: number,
  formats: ArchivePartFormat[],
  save: (extension: string, body: string | Uint8Array, contentType: string) => Promise<StoredObject>,
  written: StoredObject[],
): Promise<ArchivePart> {
  const encode = async (name: string): Promise<{ format: ArchivePartFormat; bytes: Uint8Array }> => {
    const format = formats.find((each) => each.format === name);
    const codec = format && codecOf(format, dataset);
    if (!format || !codec)
      throw new DifyConfigError(
        'storage.archiveFormats',
        `archive part ${part.key} has a ${name} copy; rewriting it needs the ${name} archive format` +
          (format ? ` with a ${dataset.name} encoder` : ''),
      );
    return { format, bytes: await codec.encode(iterate(records)) };
  };
  const store = async (extension: string, bytes: Uint8Array, contentType: string) => {
    const object = await save(`part-${sequence}.${extension}`, bytes, contentType);
    written.push(object);
    return { key: object.key, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  };
  let primary: { key: string; bytes: number; sha256: string };
  if (part.format === undefined) {
    const body = gzipSync(records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    primary = await store('ndjson.gz', body, 'application/gzip');
  } else {
    const { format, bytes } = await encode(part.format);
    primary = await store(format.extension, bytes, format.contentType);
  }
  const alternates: ArchiveAlternate[] = [];
  for (const alternate of part.alternates ?? []) {
    const { format, bytes } = await encode(alternate.format);
    alternates.push({ format: alternate.format, ...(await store(format.extension, bytes, format.contentType)) });
  }
  const dated = records.map((record) => dataset.time(record)).sort();
  const { alternates: _old, ...rest } = part;
  return {
    ...rest,
    ...primary,
    records: records.length,
    firstLoggedAt: dated[0] ?? null,
    lastLoggedAt: dated.at(-1) ?? null,
    ...(alternates.length > 0 ? { alternates } : {}),
  };
}

async function* iterate<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}
