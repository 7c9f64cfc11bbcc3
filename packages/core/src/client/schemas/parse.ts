import type { z } from 'zod';
import { DifyResponseError } from '../../errors/response-error.js';
import { markDropped, salvageParse } from './salvage.js';

/**
 * Validates a decoded body, naming the endpoint and the first offending field on failure. Optional fields of the
 * wrong type are emptied and list rows that cannot be identified are dropped (see salvageParse); both are marked
 * on the result (`salvagedFields`, `droppedRows`) for the caller to report.
 */
export function parseBody<S extends z.ZodType>(endpoint: string, schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const salvaged = salvageParse(schema, body);
  if (!('error' in salvaged)) {
    const data = salvaged.data as z.infer<S>;
    return typeof data === 'object' && data !== null ? markDropped(data, salvaged.dropped) : data;
  }
  const issue = salvaged.error;
  const field = issue.path.map(String).join('.');
  throw new DifyResponseError({ endpoint, field, problem: issue.message, cause: result.error });
}
