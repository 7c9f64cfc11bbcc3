import { createSpool, type RunRecord, type Spool } from '@dify-logs/core';
import { randomUUID } from 'node:crypto';
import { NODE_COLUMNS, nodeCells } from '../tabular/columns.js';
import type { Cell } from '../tabular/neutralise.js';
import { replayable } from '../tabular/streams.js';
import { encodeRows } from './encode.js';

/** Node executions per batch handed to csv-stringify. */
const BATCH_NODES = 512;

export interface NodesCsv {
  add(run: RunRecord): Promise<void> | void;
  finish(): Promise<AsyncIterable<Uint8Array>>;
  dispose(): Promise<void>;
}

/** The node-executions CSV: fixed columns, so rows stream straight into the spool as final CSV. */
export function createNodesCsv(options: { dir: string; bom: boolean }): NodesCsv {
  let batch: Cell[][] = [];
  let spool: Spool | undefined;

  const open = (): Spool => {
    if (spool) return spool;
    spool = createSpool(options.dir, `nodes-${randomUUID()}.csv.spool`);
    void spool.write(`${options.bom ? '\uFEFF' : ''}${encodeRows([[...NODE_COLUMNS]], '\r\n')}`);
    return spool;
  };
  const flush = (): Promise<void> | void => {
    if (batch.length === 0) return undefined;
    const text = encodeRows(batch, '\r\n');
    batch = [];
    return open().write(text);
  };

  return {
    add(run) {
      if (!run.nodes) return undefined;
      for (const node of run.nodes) batch.push(nodeCells(run, node));
      return batch.length >= BATCH_NODES ? flush() : undefined;
    },
    async finish() {
      await flush();
      const source = open();
      await source.close();
      return replayable(() => source.read()[Symbol.asyncIterator]());
    },
    async dispose() {
      batch = [];
      await spool?.dispose();
    },
  };
}
