import { multistream, pino, type Level, type Logger as PinoLogger } from 'pino';
import { build as pretty } from 'pino-pretty';
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
  // A person at a terminal reads pretty lines; pipes, files and log collectors get JSON.
  const terminal = io.stderr.isTTY ? pretty({ destination: io.stderr, colorize: true, translateTime: 'SYS:standard', ignore: 'pid,hostname,service', sync: true }) : io.stderr;
  const destination = file ? multistream([{ stream: terminal, level: resolved as Level }, { stream: file, level: resolved as Level }]) : terminal;
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
