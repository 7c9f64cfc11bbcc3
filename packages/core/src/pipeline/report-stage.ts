import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReportContext, ReportFile, Reporter, ReportWriter } from '../adapters/reporter.js';
import type { ReportAnalysis } from '../analysis/types.js';
import type { RunRecord } from '../records/schema.js';
import type { MessageRecord } from '../records/chat.js';
import type { PipelineProblem } from './types.js';

interface ActiveWriter {
  format: string;
  writer: ReportWriter;
  failed: boolean;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The report writers of one run: each format sees every record as it streams past, then the analysis.
 * A format that throws is recorded in the writers' `problems` and dropped; the others go on. `close()` always
 * releases every spool file and the private temporary folder.
 */
export async function openReportWriters(
  formats: readonly string[],
  reporters: Record<string, Reporter>,
  context: Omit<ReportContext, 'tmpDir'>,
) {
  const problems: PipelineProblem[] = [];
  const tmpDir = await mkdtemp(join(tmpdir(), 'dify-logs-report-'));
  const writers: ActiveWriter[] = [];
  const fail = (active: ActiveWriter, error: unknown) => {
    active.failed = true;
    problems.push({ stage: 'report', format: active.format, code: 'render_failed', message: message(error) });
  };
  for (const format of formats) {
    try {
      writers.push({ format, writer: reporters[format]!.start({ ...context, tmpDir }), failed: false });
    } catch (error) {
      problems.push({ stage: 'report', format, code: 'render_failed', message: message(error) });
    }
  }
  const feeding = writers.filter((active) => active.writer.add);

  return {
    /** The formats that failed so far. */
    problems,
    /** Hands a record to every writer that takes records; waits only when one applies backpressure. */
    add(record: RunRecord): Promise<void> | undefined {
      let waits: Array<Promise<void>> | undefined;
      for (const active of feeding) {
        if (active.failed) continue;
        try {
          const pending = active.writer.add!(record);
          if (pending) (waits ??= []).push(pending.catch((error: unknown) => fail(active, error)));
        } catch (error) {
          fail(active, error);
        }
      }
      return waits ? Promise.all(waits).then(() => undefined) : undefined;
    },
    /** Hands a chat message to every writer that takes messages. */
    async addMessage(message: MessageRecord): Promise<void> {
      for (const active of writers) {
        if (active.failed || !active.writer.addMessage) continue;
        try {
          await active.writer.addMessage(message);
        } catch (error) {
          fail(active, error);
        }
      }
    },
    /** The files of every format that did not fail. */
    async finish(analysis: ReportAnalysis): Promise<Array<{ format: string; file: ReportFile }>> {
      const out: Array<{ format: string; file: ReportFile }> = [];
      for (const active of writers) {
        if (active.failed) continue;
        try {
          for (const file of await active.writer.finish(analysis)) out.push({ format: active.format, file });
        } catch (error) {
          fail(active, error);
        }
      }
      return out;
    },
    async close(): Promise<void> {
      for (const active of writers) await active.writer.dispose?.().catch(() => undefined);
      await rm(tmpDir, { recursive: true, force: true });
    },
  };
}

export type ReportWriters = Awaited<ReturnType<typeof openReportWriters>>;
