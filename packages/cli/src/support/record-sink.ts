import type { RunRecord } from '@dify-logs/core';
import { createAtomicFileWriter } from '@dify-logs/core/cli-kit';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { UsageError } from './exit-codes.js';
import type { CliIo } from './io.js';

export type RecordFormat = 'ndjson' | 'json';

/** Streams RunRecords as NDJSON or one JSON array, to a file (atomically) or to stdout (`-`). */
export interface RecordSink {
  write(record: RunRecord): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
  readonly location: string;
}

export function parseFormat(value: string): RecordFormat {
  if (value === 'ndjson' || value === 'json') return value;
  throw new UsageError(`--format must be ndjson or json, got ${JSON.stringify(value)}`);
}

export async function openRecordSink(out: string, format: RecordFormat, io: CliIo): Promise<RecordSink> {
  const target = out === '-' ? stdoutTarget(io) : await fileTarget(resolve(io.cwd, out));
  let count = 0;
  return {
    location: target.location,
    async write(record) {
      const json = JSON.stringify(record);
      const prefix = format === 'ndjson' ? '' : count === 0 ? '[\n' : ',\n';
      count += 1;
      await target.write(format === 'ndjson' ? `${json}\n` : `${prefix}${json}`);
    },
    async commit() {
      if (format === 'json') await target.write(count === 0 ? '[]\n' : '\n]\n');
      await target.commit();
    },
    abort: () => target.abort(),
  };
}

interface Target {
  location: string;
  write(chunk: string): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

async function fileTarget(path: string): Promise<Target> {
  try {
    const writer = await createAtomicFileWriter(path);
    return {
      location: path,
      write: (chunk) => writer.write(chunk),
      commit: () => writer.commit(),
      abort: () => writer.abort(),
    };
  } catch (error) {
    throw new UsageError(
      `--out ${path}: cannot write there (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

function stdoutTarget(io: CliIo): Target {
  return {
    location: 'stdout',
    async write(chunk) {
      if (!io.stdout.write(chunk)) await once(io.stdout, 'drain');
    },
    commit: async () => {},
    abort: async () => {},
  };
}
