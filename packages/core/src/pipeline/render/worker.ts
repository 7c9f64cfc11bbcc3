// A worker thread of a report rendered on several threads: takes chunks of the input until none is left, posting
// each outcome (see parallel.ts).
import { parentPort, workerData } from 'node:worker_threads';
import type { ShardWriter } from '../../adapters/reporter.js';
import { snapshotAnalyzer } from '../../analysis/snapshot.js';
import { runChunk, stopChunks, takeChunk, type ChunkJob, type WorkerMessage } from './chunks.js';

const job = workerData as ChunkJob;
const post = (message: WorkerMessage) => parentPort!.postMessage(message);

async function main(): Promise<void> {
  const factories = await Promise.all(
    job.sharded.map(async ({ module, options }) => {
      const loaded = (await import(module!)) as { createShardWriter(dir: string, options: unknown): ShardWriter };
      return (dir: string) => loaded.createShardWriter(dir, options);
    }),
  );
  for (let index = takeChunk(job); index !== undefined; index = takeChunk(job)) {
    const outcome = runChunk(job, index, factories);
    if ('failure' in outcome) {
      stopChunks(job);
      post(outcome);
      break;
    }
    post({ index, result: { ...outcome.result, analyzer: snapshotAnalyzer(outcome.result.analyzer) } });
  }
  post({ done: true });
}

// A rejection (a module that cannot load) fails the worker (its `error` event): the report is then rendered on one
// thread.
void main();
