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
