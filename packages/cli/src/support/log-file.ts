import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/** File names the CLI writes logs under, in `LOG_DIR`: `dify-logs.2026-03-02.1.log`, one per day. */
export const LOG_FILE_PREFIX = 'dify-logs';

/**
 * A rotating log file (pino-roll): a new file every day, keeping `retentionDays` of them.
 * Used as a pino destination next to stderr; the CLI owns it, library code never opens one.
 */
export async function openLogFile(
  dir: string,
  retentionDays: number,
): Promise<NodeJS.WritableStream & { flushSync?: () => void; end(): void }> {
  await mkdir(dir, { recursive: true });
  // Loaded only when a log file is asked for: it costs a fifth of the command's start-up.
  const { default: pinoRoll } = await import('pino-roll');
  const stream = await pinoRoll({
    file: join(dir, LOG_FILE_PREFIX),
    extension: '.log',
    frequency: 'daily',
    dateFormat: 'yyyy-MM-dd',
    mkdir: true,
    limit: { count: Math.max(1, retentionDays), removeOtherLogFiles: true },
  });
  return stream as unknown as NodeJS.WritableStream & { flushSync?: () => void; end(): void };
}
