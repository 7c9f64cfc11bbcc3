import { DifyLogsError } from '@dify-logs/core';

/**
 * A record value that its Parquet column cannot hold (a time that is not a timestamp, text in a number column, …).
 * Never retried.
 */
export class ParquetValueError extends DifyLogsError {
  constructor(
    /** The table and column, e.g. `runs.loggedAt`. */
    readonly column: string,
    /** The run's log id, when known. */
    readonly logId: string | undefined,
    problem: string,
  ) {
    super(`${column}${logId === undefined ? '' : ` of run ${JSON.stringify(logId)}`}: ${problem}`, {
      code: 'invalid_record',
    });
    this.name = 'ParquetValueError';
  }

  static override isInstance(error: unknown): error is ParquetValueError {
    return DifyLogsError.isInstance(error) && error.name === 'ParquetValueError';
  }
}
