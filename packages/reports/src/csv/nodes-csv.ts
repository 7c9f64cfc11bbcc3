import { type RunRecord } from '@dify-logs/core';
import { createSpool } from '@dify-logs/core/adapter-kit';
import { randomUUID } from 'node:crypto';
import { replayable } from '../tabular/streams.js';
import { nodesCsvBody } from './assemble.js';
import { NodesPartWriter } from './parts.js';
import { SpoolSink } from './sinks.js';

export interface NodesCsv {
  add(run: RunRecord): Promise<void> | void;
  finish(): Promise<AsyncIterable<Uint8Array>>;
  dispose(): Promise<void>;
}

/** The node-executions CSV: fixed columns, so rows stream straight into the spool as final CSV. */
export function createNodesCsv(options: { dir: string; bom: boolean }): NodesCsv {
  const spool = createSpool(options.dir, `nodes-${randomUUID()}.csv.spool`);
  const writer = new NodesPartWriter(new SpoolSink(spool));
  return {
    add: (run) => writer.add(run),
    async finish() {
      await writer.flush();
      await spool.close();
      const part = writer.part(spool.path);
      return replayable(() => nodesCsvBody([part], options.bom)[Symbol.asyncIterator]());
    },
    async dispose() {
      await spool.dispose();
    },
  };
}
