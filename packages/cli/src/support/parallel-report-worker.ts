// Worker thread of `dify-logs report`: takes chunks of the input until none is left, posting each
// outcome (see parallel-report.ts).
import { snapshotAnalyzer } from '@dify-logs/core/internal';
import { parentPort, workerData } from 'node:worker_threads';
import { runChunk, stopChunks, takeChunk, type ChunkJob, type WorkerMessage } from './parallel-report-chunks.js';

const job = workerData as ChunkJob;
const post = (message: WorkerMessage) => parentPort!.postMessage(message);
for (let index = takeChunk(job); index !== undefined; index = takeChunk(job)) {
  const outcome = runChunk(job, index);
  if ('failure' in outcome) {
    stopChunks(job);
    post(outcome);
    break;
  }
  post({ index, result: { ...outcome.result, analyzer: snapshotAnalyzer(outcome.result.analyzer) } });
}
post({ done: true });
