import { coversLevel, fitToLevel, type EnrichmentLevel, type RunCache } from '../adapters/run-cache.js';
import type { RunRecord } from '../records/schema.js';

/** Finished runs kept in memory, at most `maxEntries` (oldest put dropped first): for tests and one process. */
export function memoryRunCache(options: { maxEntries?: number } = {}): RunCache & { readonly size: number } {
  const maxEntries = options.maxEntries ?? 100_000;
  const entries = new Map<string, { level: EnrichmentLevel; text: string }>();
  const id = (app: string, runId: string) => `${app}\u0000${runId}`;
  return {
    get size() {
      return entries.size;
    },
    async get(app, runId, level) {
      const entry = entries.get(id(app, runId));
      if (!entry || !coversLevel(entry.level, level)) return undefined;
      return fitToLevel(JSON.parse(entry.text) as RunRecord, level);
    },
    async put(app, record, level) {
      if (!record.runId) return;
      const key = id(app, record.runId);
      entries.delete(key);
      entries.set(key, { level: { ...level }, text: JSON.stringify(record) });
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
  };
}
