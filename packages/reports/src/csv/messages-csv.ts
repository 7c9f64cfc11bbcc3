import { type MessageRecord } from '@dify-logs/core';
import { createSpool, type Spool } from '@dify-logs/core/adapter-kit';
import { randomUUID } from 'node:crypto';
import { neutraliseCell, type Cell } from '../tabular/neutralise.js';
import { encodeRow } from './encode.js';

const COLUMNS = [
  'appId',
  'conversationId',
  'messageId',
  'createdAt',
  'status',
  'query',
  'answer',
  'error',
  'messageTokens',
  'answerTokens',
  'totalTokens',
  'latency',
  'feedback',
  'adminFeedback',
  'annotated',
  'fromSource',
  'endUserId',
  'accountId',
  'workflowRunId',
] as const;

function row(message: MessageRecord): Cell[] {
  return COLUMNS.map((column) => {
    const value = message[column];
    return neutraliseCell(typeof value === 'boolean' ? String(value) : (value ?? null));
  });
}

export interface MessagesCsv {
  add(message: MessageRecord): Promise<void> | void;
  /** The file, or undefined when no message came (workflow apps only). */
  finish(): Promise<AsyncIterable<Uint8Array> | undefined>;
  dispose(): Promise<void>;
}

/** The chat messages CSV (`….messages.csv`): one row per message, fixed columns, spooled as final CSV. */
export function createMessagesCsv(options: { dir: string; bom: boolean }): MessagesCsv {
  let spool: Spool | undefined;
  return {
    add(message) {
      if (!spool) {
        spool = createSpool(options.dir, `messages-${randomUUID()}.csv.spool`);
        void spool.write(`${options.bom ? '\uFEFF' : ''}${encodeRow([...COLUMNS])}\r\n`);
      }
      return spool.write(`${encodeRow(row(message))}\r\n`);
    },
    async finish() {
      if (!spool) return undefined;
      await spool.close();
      const done = spool;
      return { [Symbol.asyncIterator]: () => done.read()[Symbol.asyncIterator]() };
    },
    async dispose() {
      await spool?.dispose();
    },
  };
}
