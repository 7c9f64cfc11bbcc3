import { DifyLogsError } from '@dify-logs/core';

/**
 * A record value that its Parquet column cannot hold (a time that is not a timestamp, text in a number column, …).
 * Never retried.
 */
export class ParquetValueError extends DifyLogsError {
  constructor(
    /** The table and column, e.g. `runs.loggedAt`. */
    readonly column: string,
    /** The record's id (a run's log id, a message's or a conversation's id), when known. */
    readonly logId: string | undefined,
    problem: string,
    /** What the record is: `run` (the default), `message` or `conversation`. */
    record: 'run' | 'message' | 'conversation' = 'run',
  ) {
    super(`${column}${logId === undefined ? '' : ` of ${record} ${JSON.stringify(logId)}`}: ${problem}`, {
      code: 'invalid_record',
    });
    this.name = 'ParquetValueError';
  }

  static override isInstance(error: unknown): error is ParquetValueError {
    return DifyLogsError.isInstance(error) && error.name === 'ParquetValueError';
  }
}
