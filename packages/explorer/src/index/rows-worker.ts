// A worker thread of the index build: unzips and parses a partition's gzip NDJSON parts, applies the privacy policy
// and builds the rows (what `buildRows` does on the main thread), and sends them back.
import { parentPort, workerData } from 'node:worker_threads';
import { createPrivacyPolicy, type PrivacyOptions } from '@dify-logs/core';
import { addRun, type PartitionRows } from './columns.js';
import { ndjsonRuns } from './parts.js';

export interface RowsRequest {
  id: number;
  parts: Array<{ key: string; bytes: Uint8Array }>;
}
export type RowsResponse = { id: number; rows: PartitionRows } | { id: number; failed: string };

const { privacy: options, storage } = workerData as { privacy: PrivacyOptions | undefined; storage: string };
const privacy = createPrivacyPolicy(options);

parentPort!.on('message', ({ id, parts }: RowsRequest) => {
  let response: RowsResponse;
  try {
    const rows: PartitionRows = { count: 0, runs: [], nodes: [] };
    const seen = new Set<string>();
    for (const { key, bytes } of parts)
      for (const { record, ...pointer } of ndjsonRuns({ name: storage }, key, bytes, seen))
        addRun(rows, privacy.run(record), pointer);
    response = { id, rows };
  } catch (error) {
    response = { id, failed: (error as Error).message };
  }
  parentPort!.postMessage(response);
});
