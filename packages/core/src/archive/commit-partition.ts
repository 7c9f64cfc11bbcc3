import type { StorageAdapter, StoredObject } from '../adapters/storage.js';
import type { ArchiveDatasetName } from './dataset.js';
import { survives, type ArchiveManifest, type ArchivePart } from './manifest.js';
import {
  heads,
  mergedManifest,
  newestEntry,
  referencedKeys,
  replacedKeys,
  roundExtension,
  writeHead,
} from './partition-manifests.js';

/** What an archive writer commits a partition with. */
export interface PartitionCommit {
  storage: StorageAdapter;
  /** The dataset's storage type and name. */
  type: string;
  dataset: ArchiveDatasetName;
  job: string;
  runId: string;
  window: { from: string; to: string };
  now: () => Date;
  /** Saves a manifest of the partition under `extension`. */
  save(extension: string, body: string): Promise<StoredObject>;
}

/**
 * Writes the manifest of a partition a pipeline run added `own` parts to, on top of what the partition held (its parts
 * outside the run's window), so that it ends as the partition's truth (see `writeHead`: an `archive forget` or
 * `redact` may rewrite the partition meanwhile). Returns the manifest (none when such an edit, built on it, already
 * holds these parts) and the objects that can be deleted once every partition of the run is committed.
 */
export async function commitPartition(
  commit: PartitionCommit,
  app: string,
  day: string,
  own: ArchivePart[],
): Promise<{ manifest?: StoredObject; obsolete: string[] }> {
  let saved: StoredObject | undefined;
  const result = await writeHead({
    storage: commit.storage,
    partition: { job: commit.job, app, day },
    type: commit.type,
    now: commit.now,
    async save(manifest, round) {
      saved = await commit.save(roundExtension(round), `${JSON.stringify(manifest, null, 2)}\n`);
      return saved;
    },
    async build(base): Promise<ArchiveManifest | undefined> {
      // A manifest built on this run's (an edit's) holds its parts already, rewritten or as they are.
      if (base.length > 0 && newestEntry(heads(base)).manifest.parts.some((part) => part.runId === commit.runId))
        return undefined;
      const kept = base.length > 0 ? mergedManifest(base).parts.filter((part) => survives(part, commit.window)) : [];
      const parts = [...kept, ...own];
      return {
        schemaVersion: 1,
        recordSchema: 1,
        job: commit.job,
        app,
        day,
        ...(commit.dataset !== 'runs' ? { dataset: commit.dataset } : {}),
        generatedAt: commit.now().toISOString(),
        runId: commit.runId,
        records: parts.reduce((sum, part) => sum + part.records, 0),
        parts,
      };
    },
  });
  // What this run replaced can go: the manifests and parts the head no longer lists (this run's own parts too, when an
  // edit's manifest holds them in their rewritten form).
  const keep = referencedKeys(result.head ? [result.head.manifest] : []);
  const candidates = [
    ...replacedKeys(result),
    ...referencedKeys(result.previous.map((entry) => entry.manifest)),
    ...(result.ours ? [] : referencedKeys([{ parts: own }])),
  ];
  return {
    ...(result.ours && saved ? { manifest: saved } : {}),
    obsolete: candidates.filter((key) => !keep.has(key)),
  };
}
