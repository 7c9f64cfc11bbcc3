import { DifyLogsError } from '@dify-logs/core';

/**
 * A file (or archive part) that is not a dify-logs Parquet table this version can read: names the file and what is
 * wrong.
 */
export class ParquetFileError extends DifyLogsError {
  /** What is wrong, without the file. */
  readonly problem: string;

  constructor(
    readonly file: string,
    problem: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${file}: ${problem}`, { code: 'invalid_parquet', cause: options.cause });
    this.name = 'ParquetFileError';
    this.problem = problem;
  }

  static override isInstance(error: unknown): error is ParquetFileError {
    return DifyLogsError.isInstance(error) && error.name === 'ParquetFileError';
  }
}
