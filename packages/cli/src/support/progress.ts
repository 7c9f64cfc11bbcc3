import type { ExportProgress } from '@dify-logs/core/client';
import type { CliIo } from './io.js';

export interface ProgressDisplay {
  update(progress: Readonly<ExportProgress>, label: string): void;
  done(): void;
}

/** A one-line progress display on a TTY (stderr), redrawn at most 10 times a second; silent elsewhere. */
export function createProgress(io: CliIo): ProgressDisplay {
  if (!io.stderr.isTTY) return { update: () => {}, done: () => {} };
  const started = Date.now();
  let last = 0;
  let drawn = false;
  return {
    update(progress, label) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const seconds = Math.max((now - started) / 1000, 0.001);
      const rate = Math.round(progress.exported / seconds);
      const line =
        `${label}: pages ${progress.pages} · listed ${progress.listed} · exported ` +
        `${progress.exported} · ${rate} runs/s · enrichment failures ${progress.enrichmentFailures}`;
      io.stderr.write(`\r\u001b[2K${line}`);
      drawn = true;
    },
    done() {
      if (drawn) io.stderr.write('\r\u001b[2K');
    },
  };
}
