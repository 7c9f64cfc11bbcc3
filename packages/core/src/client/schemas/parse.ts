import type { z } from 'zod';
import { DifyResponseError } from '../../errors/response-error.js';

/** Validates a decoded body, naming the endpoint and the first offending field on failure. */
export function parseBody<S extends z.ZodType>(endpoint: string, schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue ? issue.path.map(String).join('.') : '';
  throw new DifyResponseError({ endpoint, field, problem: issue?.message ?? 'invalid body', cause: result.error });
}
