import { environmentToConfig, scrub } from '@dify-logs/core/cli-kit';
import { multistream, pino, type DestinationStream, type Level, type Logger as PinoLogger } from 'pino';
import { createRequire } from 'node:module';
import type { CliIo } from './io.js';

// pino-pretty (about 30 modules) only for a person at a terminal: pipes and log collectors never load it.
const load = createRequire(import.meta.url);
const pretty = (options: import('pino-pretty').PrettyOptions) =>
  (load('pino-pretty') as typeof import('pino-pretty')).build(options);

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** A destination that replaces every known secret value (raw and as JSON escapes it) before the line is written. */
function scrubbing(destination: NodeJS.WritableStream, secrets: readonly string[]): DestinationStream {
  const forms = [
    ...new Set(
      secrets.filter((secret) => secret.length >= 4).flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]),
    ),
  ];
  if (forms.length === 0) return destination as DestinationStream;
  return { write: (line: string) => destination.write(scrub(line, forms)) };
}

/**
 * The CLI's pino logger, writing JSON lines to stderr. On a TTY the progress line speaks instead,
 * so the default level there is `warn`; elsewhere `info`. `LOG_LEVEL` or `--log-level` override it.
 * Secret-named fields are redacted by path, and every value in `secrets` (the configuration's) is
 * replaced wherever it appears in a line, on the terminal and in the log file.
 */
export function createCliLogger(
  io: CliIo,
  level: string | undefined,
  file?: NodeJS.WritableStream,
  secrets: readonly string[] = [],
): PinoLogger {
  const fromEnv = (environmentToConfig(io.env).tree as { logging?: { level?: string } }).logging?.level;
  const chosen = (level ?? fromEnv ?? (io.stderr.isTTY ? 'warn' : 'info')).toLowerCase();
  const resolved = LEVELS.includes(chosen) ? chosen : 'info';
  // With a log file, the file gets every line at the chosen level, even when the terminal shows progress instead.
  // A person at a terminal reads pretty lines; pipes, files and log collectors get JSON.
  const terminal = io.stderr.isTTY
    ? pretty({
        destination: io.stderr,
        colorize: true,
        translateTime: 'SYS:standard',
        ignore: 'pid,hostname,service',
        sync: true,
      })
    : io.stderr;
  const streams = [{ stream: scrubbing(terminal, secrets), level: resolved as Level }];
  if (file) streams.push({ stream: scrubbing(file, secrets), level: resolved as Level });
  return pino(
    {
      level: resolved,
      base: { service: 'dify-logs' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'password',
          'apiKey',
          'authorization',
          'cookie',
          '*.password',
          '*.apiKey',
          '*.authorization',
          '*.cookie',
          'headers.*',
        ],
        censor: '[redacted]',
      },
    },
    streams.length === 1 && secrets.length === 0 ? (terminal as DestinationStream) : multistream(streams),
  );
}
