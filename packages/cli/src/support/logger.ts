import { multistream, pino, type Level, type Logger as PinoLogger } from 'pino';
import type { CliIo } from './io.js';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * The CLI's pino logger, writing JSON lines to stderr. On a TTY the progress line speaks instead,
 * so the default level there is `warn`; elsewhere `info`. `LOG_LEVEL` or `--log-level` override it.
 */
export function createCliLogger(io: CliIo, level: string | undefined, file?: NodeJS.WritableStream): PinoLogger {
  const chosen = (level ?? io.env.LOG_LEVEL ?? (io.stderr.isTTY ? 'warn' : 'info')).toLowerCase();
  const resolved = LEVELS.includes(chosen) ? chosen : 'info';
  // With a log file, the file gets every line at the chosen level, even when the terminal shows progress instead.
  const destination = file ? multistream([{ stream: io.stderr, level: resolved as Level }, { stream: file, level: resolved as Level }]) : io.stderr;
  return pino(
    {
      level: resolved,
      base: { service: 'dify-logs' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['password', 'apiKey', 'authorization', 'cookie', '*.password', '*.apiKey', '*.authorization', '*.cookie', 'headers.*'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
