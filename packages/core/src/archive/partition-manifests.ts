import type { StorageAdapter, StoredObject } from '../adapters/storage.js';
import { DifyStorageError } from '../errors/storage-error.js';
import {
  ARCHIVE_TYPE,
  dayStart,
  MANIFEST_EXTENSION,
  manifestsBetween,
  newestFirst,
  partitionParts,
  type ArchiveManifest,
} from './manifest.js';

/** A stored manifest and its key. */
export interface ManifestEntry {
  key: string;
  manifest: ArchiveManifest;
}

/**
 * How two writers of one partition at once (a pipeline run archiving its window, and `archive forget` or `redact`
 * rewriting it) keep each other's records. Storage has no compare-and-swap, so each manifest names the manifests it was
 * built from (`basedOn`), and each writer, after saving its manifest, lists the partition again (`writeHead`):
 *
 * - Its manifest is the one head (no other manifest stands beside it): done.
 * - Another writer's manifest stands beside it (built from the same state, unaware of it): the writer with the newer
 *   manifest builds again on top of the other's (the rewrite applies itself again, the pipeline run adds its parts
 *   again); the other waits until that manifest replaces its own.
 * - A manifest built on top of its own replaced it: the writer checks whether that one still needs anything from it.
 *
 * A writer builds only on a partition with one head (`settledManifests`), deletes only what the final head replaces,
 * and gives up after `MAX_ROUNDS` rounds, removing what it saved: the partition is then as the other writers left it.
 */
export const MAX_ROUNDS = 3;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The manifests of a partition, newest first (normally one; more after an interrupted replace or two writers). */
export async function readManifests(
  storage: StorageAdapter,
  job: string,
  app: string,
  day: string,
  type: string = ARCHIVE_TYPE,
): Promise<ManifestEntry[]> {
  const start = dayStart(day);
  const found: ManifestEntry[] = [];
  for await (const entry of manifestsBetween(storage, start, new Date(start.getTime() + 1), { job, app }, type))
    found.push(entry);
  return found.sort((a, b) => newestFirst(a.manifest, b.manifest));
}

/** The extension of a writer's manifest in its `round` (storage never overwrites: a later round saves a new object). */
export const roundExtension = (round: number) => (round === 1 ? MANIFEST_EXTENSION : `r${round}.${MANIFEST_EXTENSION}`);

/** The newest of (at least one) manifests. */
export function newestEntry(entries: readonly ManifestEntry[]): ManifestEntry {
  return entries.reduce((a, b) => (newestFirst(b.manifest, a.manifest) < 0 ? b : a));
}

/**
 * The manifests no other one replaces: one normally, two while two writers write the partition at once (each then
 * writes again on top of the other's). A manifest replaces those it lists in `basedOn`; one of an earlier release
 * (without `basedOn`) every older one.
 */
export function heads(entries: readonly ManifestEntry[]): ManifestEntry[] {
  const replaced = new Set<string>();
  for (const { manifest } of entries) {
    if (manifest.basedOn) for (const key of manifest.basedOn) replaced.add(key);
    else for (const other of entries) if (newestFirst(manifest, other.manifest) < 0) replaced.add(other.key);
  }
  return entries.filter((entry) => !replaced.has(entry.key));
}

/**
 * The partition's manifests other than `own` once at most one of them is a head (see `heads`): a writer builds on a
 * settled partition. While two other writers are at it, waits for them (100 ms, doubling, 5 times: 1.5 s); heads
 * that stay side by side longer (a writer stopped halfway) are taken together (`mergedManifest`).
 */
export async function settledManifests(
  storage: StorageAdapter,
  partition: { job: string; app: string; day: string },
  type: string,
  own: ReadonlySet<string> = new Set(),
  wait: (ms: number) => Promise<void> = sleep,
): Promise<ManifestEntry[]> {
  for (let attempt = 0; ; attempt += 1) {
    const entries = (await readManifests(storage, partition.job, partition.app, partition.day, type)).filter(
      (entry) => !own.has(entry.key),
    );
    if (heads(entries).length <= 1 || attempt === 4) return entries;
    await wait(100 * 2 ** attempt);
  }
}

/**
 * The partition these manifests make, as a writer builds on it: the newest one with the parts of all of them (see
 * `partitionParts`). Two heads left side by side (a writer stopped halfway through a race) are both kept: the parts of
 * each, once (readers take a log id once per partition), so that no run of either is lost; an edit among them is
 * then to be run again.
 */
export function mergedManifest(entries: readonly ManifestEntry[]): ArchiveManifest {
  const newest = newestEntry(entries);
  if (entries.length === 1) return newest.manifest;
  const found = heads(entries);
  const parts =
    found.length > 1
      ? [...new Map(found.flatMap((entry) => entry.manifest.parts).map((part) => [part.key, part])).values()]
      : partitionParts(entries.map((entry) => entry.manifest));
  return { ...newest.manifest, parts, records: parts.reduce((sum, part) => sum + part.records, 0) };
}

/** A generation time after every manifest's in `entries` and not before `now`: a manifest saved with it is newer. */
export function newerThan(entries: readonly ManifestEntry[], now: Date): string {
  let time = now.getTime();
  for (const { manifest } of entries) time = Math.max(time, Date.parse(manifest.generatedAt) + 1);
  return new Date(time).toISOString();
}

/** Every object the manifests list: parts and their copies. */
export function referencedKeys(manifests: Iterable<Pick<ArchiveManifest, 'parts'>>): Set<string> {
  const keys = new Set<string>();
  for (const manifest of manifests)
    for (const part of manifest.parts) {
      keys.add(part.key);
      for (const alternate of part.alternates ?? []) keys.add(alternate.key);
    }
  return keys;
}

/** The partition kept changing under a writer: nothing of this try is left, and trying again is safe. */
export function keptChanging(storage: StorageAdapter, partition: { job: string; app: string; day: string }) {
  return new DifyStorageError(
    storage.name,
    'storage_failed',
    `archive partition ${partition.job}/${partition.app}/${partition.day} kept being written by other runs while ` +
      'this one wrote it; run again',
    { isRetryable: true },
  );
}

/** A writer of one partition: what it writes on top of the partition as it finds it. */
export interface HeadWriter {
  storage: StorageAdapter;
  partition: { job: string; app: string; day: string };
  type: string;
  now: () => Date;
  /** Saves a round's manifest (a new object each round: storage never overwrites). */
  save(manifest: ArchiveManifest, round: number): Promise<StoredObject>;
  /**
   * The manifest to write on top of `base` (the partition's settled manifests, without this writer's own), or
   * undefined when `base` needs nothing more from this writer (it holds what this writer would write).
   */
  build(base: readonly ManifestEntry[], round: number): Promise<ArchiveManifest | undefined>;
  wait?: (ms: number) => Promise<void>;
}

export interface HeadResult {
  /** The partition's one head afterwards (this writer's, or one written on top of it), if the partition has any. */
  head: ManifestEntry | undefined;
  /** Whether the head is this writer's. */
  ours: boolean;
  /** The manifests this writer first built on, and those it saved: what it may delete (see `replacedKeys`). */
  previous: ManifestEntry[];
  own: string[];
}

/**
 * Writes a partition's manifest and makes sure the partition ends with one head built on it (see `MAX_ROUNDS`). When
 * another writer saved a manifest beside this one, the writer whose manifest is newer builds again on top of the
 * other's at once; the other waits for that (and, if nothing comes within 1.5 s, builds again itself). Gives up after
 * `MAX_ROUNDS` rounds, removing the manifests it saved.
 */
export async function writeHead(writer: HeadWriter): Promise<HeadResult> {
  const { storage, partition, type } = writer;
  const wait = writer.wait ?? sleep;
  const own = new Set<string>();
  const ownEntries: ManifestEntry[] = [];
  try {
    let base = await settledManifests(storage, partition, type, own, wait);
    const previous = base;
    for (let round = 1; round <= MAX_ROUNDS; round += 1) {
      const built = await writer.build(base, round);
      if (!built) {
        const head = base.length > 0 ? newestEntry(heads(base)) : undefined;
        return { head, ours: false, previous, own: [...own] };
      }
      const manifest: ArchiveManifest = {
        ...built,
        generatedAt: newerThan([...base, ...ownEntries], writer.now()),
      };
      // A manifest built on nothing replaces nothing (and, like those of earlier releases, names nothing).
      const basedOn = [...base.map((entry) => entry.key), ...own];
      if (basedOn.length > 0) manifest.basedOn = basedOn;
      const saved = await writer.save(manifest, round);
      own.add(saved.key);
      ownEntries.push({ key: saved.key, manifest });
      for (let check = 0; ; check += 1) {
        const listed = await readManifests(storage, partition.job, partition.app, partition.day, type);
        // A listing without the manifest just saved cannot tell anything (storage that lists late): it stands.
        if (!listed.some((entry) => entry.key === saved.key))
          return { head: { key: saved.key, manifest }, ours: true, previous, own: [...own] };
        const found = heads(listed);
        const mine = found.find((entry) => entry.key === saved.key);
        if (mine && found.length === 1) return { head: mine, ours: true, previous, own: [...own] };
        // Another head newer than this one: its writer builds on top of this one; wait for it a little.
        const newer = mine && found.some((entry) => newestFirst(entry.manifest, mine.manifest) < 0);
        if (!newer || check === 4) break;
        await wait(100 * 2 ** check);
      }
      base = await settledManifests(storage, partition, type, own, wait);
    }
    throw keptChanging(storage, partition);
  } catch (error) {
    for (const key of own) await storage.delete(key).catch(() => undefined);
    throw error;
  }
}

/** The manifests a writer's result lets it delete: what it built on, what it saved, what the head replaces. */
export function replacedKeys(result: HeadResult): string[] {
  const keys = new Set([
    ...result.previous.map((entry) => entry.key),
    ...result.own,
    ...(result.head?.manifest.basedOn ?? []),
  ]);
  if (result.head) keys.delete(result.head.key);
  return [...keys];
}
