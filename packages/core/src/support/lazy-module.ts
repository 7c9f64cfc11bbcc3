import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/**
 * A CommonJS dependency loaded on first use rather than when core is imported: `yaml` and the DDSketch together cost
 * a command that needs neither (an export, a probe) about 40 ms of start-up. Both builds resolve it from core's own
 * folder (the CommonJS build through tsup's `import.meta.url` shim).
 */
export function lazyModule<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load(id) as T);
}
