import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PrivacyOptions } from '@dify-logs/core';
import type { PartitionRows } from './columns.js';
import type { RowsRequest, RowsResponse } from './rows-worker.js';

/** Worker threads building partitions' rows (see rows-worker.ts); each request goes to the least busy one. */
export interface RowWorkers {
  /** The rows of a partition's gzip NDJSON parts, or undefined when a worker failed (the caller builds them). */
  rows(parts: Array<{ key: string; bytes: Uint8Array }>): Promise<PartitionRows | undefined>;
  close(): Promise<void>;
}

/**
 * The worker: `rows-worker.js` beside this module in the build, or, when the package runs from its sources (the
 * tests), its TypeScript source loaded through tsx (registered in the worker first: Node 20 does not apply an
 * `--import` hook to a worker's entry) with the workspace's `dev-source` condition.
 */
function workerSource(): { code: string | URL; eval: boolean; execArgv: string[] } {
  if (!import.meta.url.endsWith('.ts'))
    return { code: new URL('./rows-worker.js', import.meta.url), eval: false, execArgv: [] };
  const tsx = join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs');
  const entry = new URL('./rows-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(pathToFileURL(tsx).href)})
    .then(({ register }) => (register(), import(${JSON.stringify(entry)})))`;
  return { code, eval: true, execArgv: ['--conditions', 'dev-source'] };
}

export function createRowWorkers(count: number, privacy: PrivacyOptions | undefined, storage: string): RowWorkers {
  const { code, eval: evaluated, execArgv } = workerSource();
  const pending = new Map<number, (rows: PartitionRows | undefined) => void>();
  let next = 0;
  const threads = Array.from({ length: count }, () => {
    const worker = new Worker(code, { eval: evaluated, workerData: { privacy, storage }, execArgv });
    const thread = { worker, busy: 0, ids: new Set<number>() };
    const settle = (id: number, rows: PartitionRows | undefined) => {
      thread.busy -= 1;
      thread.ids.delete(id);
      pending.get(id)?.(rows);
      pending.delete(id);
    };
    worker.on('message', (response: RowsResponse) =>
      settle(response.id, 'rows' in response ? response.rows : undefined),
    );
    // A worker that could not start or died: its requests are built on the main thread.
    const fail = () => {
      for (const id of [...thread.ids]) settle(id, undefined);
      thread.busy = Number.POSITIVE_INFINITY;
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    return thread;
  });
  return {
    rows(parts) {
      const thread = threads.reduce((least, each) => (each.busy < least.busy ? each : least));
      if (thread.busy === Number.POSITIVE_INFINITY) return Promise.resolve(undefined);
      const id = (next += 1);
      thread.busy += 1;
      thread.ids.add(id);
      return new Promise((resolve) => {
        pending.set(id, resolve);
        // Copies, moved to the worker: the storage may keep (or share the memory of) what it returned.
        const copies = parts.map(({ key, bytes }) => ({ key, bytes: bytes.slice() }));
        const request: RowsRequest = { id, parts: copies };
        thread.worker.postMessage(
          request,
          copies.map(({ bytes }) => bytes.buffer as ArrayBuffer),
        );
      });
    },
    async close() {
      await Promise.all(threads.map(({ worker }) => worker.terminate()));
    },
  };
}
