import type { StorageAdapter, StoredObject } from '../adapters/storage.js';
import { DATASETS } from './dataset.js';
import { MANIFEST_EXTENSION, parseManifest, WRITTEN_AT } from './manifest.js';

/**
 * How long a part may go unlisted before it counts as an orphan: a run lists its parts in manifests at its end, so a
 * part no manifest lists this long after it was written belongs to a run that failed or was killed.
 */
export const ORPHAN_MIN_AGE_HOURS = 48;

export interface OrphanPartOptions {
  /** Default: now. */
  now?: Date;
  /** Only parts written at least this many hours before `now` (default `ORPHAN_MIN_AGE_HOURS`). */
  minAgeHours?: number;
}

/** A part (or a part's copy in another format) of a partitioned archive: `….part-N.ndjson.gz`, `….part-N.parquet`. */
const PART_KEY = /\.part-\d+\.[^/]+$/;

/**
 * The parts of the partitioned archive that no manifest of their partition lists (nor lists as an alternate),
 * written at least `minAgeHours` ago: what a storage failure or a kill mid-run leaves behind (readers ignore them).
 * A part's age is its `written-at` metadata; parts written before it existed have none and are left to the retention
 * cleanup, since nothing tells whether a run is still writing them. Every manifest of a partition counts, not only
 * the newest (after an interrupted replace, the older one still owns its parts until the next run removes both).
 */
export async function findOrphanParts(
  storage: StorageAdapter,
  options: OrphanPartOptions = {},
): Promise<StoredObject[]> {
  const cutoff = (options.now ?? new Date()).getTime() - (options.minAgeHours ?? ORPHAN_MIN_AGE_HOURS) * 3_600_000;
  const partitions = new Map<string, { manifests: string[]; candidates: StoredObject[] }>();
  const partition = (object: StoredObject) => {
    const id = `${object.type}\u0000${object.metadata.job}\u0000${object.metadata.app}\u0000${object.metadata.day}`;
    let found = partitions.get(id);
    if (!found) partitions.set(id, (found = { manifests: [], candidates: [] }));
    return found;
  };
  for (const { type } of DATASETS)
    for await (const object of storage.list({ kind: 'data', type })) {
      // The run archive (one NDJSON object per run, `archive: 'run'`) has no partition metadata and no manifest.
      if (object.metadata.day === undefined) continue;
      if (object.key.endsWith(`.${MANIFEST_EXTENSION}`)) partition(object).manifests.push(object.key);
      else if (PART_KEY.test(object.key) && Date.parse(object.metadata[WRITTEN_AT] ?? '') <= cutoff)
        partition(object).candidates.push(object);
    }
  const orphans: StoredObject[] = [];
  for (const { manifests, candidates } of partitions.values()) {
    if (candidates.length === 0) continue;
    const listed = new Set<string>();
    for (const key of manifests) {
      const manifest = parseManifest(key, await storage.read(key), storage.name);
      // A manifest of a schema this version cannot read may list any of them: keep the partition as it is.
      if (!manifest) {
        candidates.length = 0;
        break;
      }
      for (const part of manifest.parts) {
        listed.add(part.key);
        for (const alternate of part.alternates ?? []) listed.add(alternate.key);
      }
    }
    orphans.push(...candidates.filter((object) => !listed.has(object.key)));
  }
  return orphans;
}

/** Deletes what `findOrphanParts` finds; returns the deleted keys. */
export async function removeOrphanParts(storage: StorageAdapter, options: OrphanPartOptions = {}): Promise<string[]> {
  const deleted: string[] = [];
  for (const object of await findOrphanParts(storage, options))
    if (await storage.delete(object.key)) deleted.push(object.key);
  return deleted;
}
