import { isPlainObject } from './key-path.js';
import { leaves, valueAt, type ConfigTree } from './merge.js';

/** Where the value of a key came from; later sources win. */
export type ConfigSource = 'default' | 'file' | 'profile' | '.env' | 'env' | 'override';

export interface SourceEntry {
  source: ConfigSource;
  /** e.g. the environment variable that set the key. */
  detail?: string;
}

/** Records, key by key, which layer last set a value, following the merge rules of `deepMerge`. */
export function createSourceTracker() {
  const entries = new Map<string, SourceEntry>();
  /** Empty mappings a layer set: they name only themselves, never the keys defaults fill in below them. */
  const emptySections = new Map<string, SourceEntry>();

  const clear = (path: string) => {
    for (const map of [entries, emptySections]) {
      for (const key of [...map.keys()]) if (key === path || key.startsWith(`${path}.`)) map.delete(key);
    }
  };

  const walk = (value: unknown, before: unknown, path: string, entry: (path: string) => SourceEntry) => {
    if (isPlainObject(value) && path !== '' && !isPlainObject(before)) clear(path);
    if (isPlainObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (item === undefined) continue;
        const child = path ? `${path}.${key}` : key;
        walk(item, isPlainObject(before) ? before[key] : undefined, child, entry);
      }
      if (Object.keys(value).length === 0 && path !== '' && !isPlainObject(before))
        emptySections.set(path, entry(path));
      return;
    }
    clear(path);
    if (value === null) return;
    for (const [leaf] of leaves(value, path)) entries.set(leaf, entry(path));
  };

  /** The entry of a key, or of its closest ancestor set as a whole (a list, or a comma-separated string). */
  const lookup = (path: string): SourceEntry | undefined => {
    for (
      let current = path;
      current !== '';
      current = current.includes('.') ? current.slice(0, current.lastIndexOf('.')) : ''
    ) {
      const entry = entries.get(current);
      if (entry) return entry;
    }
    return emptySections.get(path);
  };

  return {
    lookup,
    /**
     * Notes a layer about to be merged over `before` (the merge so far). `detail` names a key's origin more precisely.
     */
    record(
      layer: ConfigTree,
      before: ConfigTree,
      source: ConfigSource,
      detail?: (path: string) => string | undefined,
    ): void {
      walk(layer, before, '', (path) => {
        const more = detail?.(path);
        return more === undefined ? { source } : { source, detail: more };
      });
    },
    /** The source of every leaf of the final configuration; keys no layer set are `default`. */
    sourcesOf(config: ConfigTree): Map<string, ConfigSource> {
      const result = new Map<string, ConfigSource>();
      for (const [path] of leaves(config)) {
        if (valueAt(config, path) === undefined) continue;
        result.set(path, lookup(path)?.source ?? 'default');
      }
      return result;
    },
  };
}

export type SourceTracker = ReturnType<typeof createSourceTracker>;
