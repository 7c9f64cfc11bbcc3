/** The subset of pino's logger this SDK uses; a pino logger fits as it is. */
export interface Logger {
  trace(object: object, message?: string): void;
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

const noop = (): void => {};

/** The default logger: says nothing. */
export const silentLogger: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

/**
 * A logger that writes to `base` and also hands every line at `minLevel` or above to `capture`, as
 * one readable text line (`2026-11-28T02:00:01.000Z INFO message {"key":"value"}`), bindings of
 * children included. Used to keep a scheduled run's own log lines with the run.
 */
export function teeLogger(
  base: Logger,
  capture: (line: string) => void,
  minLevel: Level = 'info',
  bindings: Record<string, unknown> = {},
): Logger {
  const threshold = LEVELS.indexOf(minLevel);
  const method =
    (level: Level) =>
    (object: object, message?: string): void => {
      base[level](object, message);
      if (LEVELS.indexOf(level) < threshold) return;
      const fields = { ...bindings, ...(object as Record<string, unknown>) };
      let detail = '';
      try {
        detail = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
      } catch {
        detail = ' [unserialisable fields]';
      }
      capture(`${new Date().toISOString()} ${level.toUpperCase()} ${message ?? ''}${detail}`);
    };
  return {
    trace: method('trace'),
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    child: (more) => teeLogger(base.child(more), capture, minLevel, { ...bindings, ...more }),
  };
}
