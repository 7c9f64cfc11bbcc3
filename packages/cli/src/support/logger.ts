import { pino, type Logger as PinoLogger } from 'pino';
import type { CliIo } from './io.js';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * The CLI's pino logger, writing JSON lines to stderr. On a TTY the progress line speaks instead,
 * so the default level there is `warn`; elsewhere `info`. `LOG_LEVEL` or `--log-level` override it.
 */
export function createCliLogger(io: CliIo, level: string | undefined): PinoLogger {
  const chosen = (level ?? io.env.LOG_LEVEL ?? (io.stderr.isTTY ? 'warn' : 'info')).toLowerCase();
  return pino(
    {
      level: LEVELS.includes(chosen) ? chosen : 'info',
      base: { service: 'dify-logs' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['password', 'apiKey', 'authorization', 'cookie', '*.password', '*.apiKey', '*.authorization', '*.cookie', 'headers.*'],
        censor: '[redacted]',
      },
    },
    io.stderr,
  );
}
