import type { z } from 'zod';
import { issuesToError, toConfigIssues, expectation, type ConfigIssue } from './issues.js';
import { ConfigSchema, type DifyLogsConfig } from './schema.js';

export type ConfigValidation =
  { ok: true; config: DifyLogsConfig; issues: [] } | { ok: false; config: undefined; issues: ConfigIssue[] };

/** Validates a merged configuration object and fills in defaults; never throws for a bad configuration. */
/** `schema`: the one composed from the plugins in use (`createPluginRegistry(plugins).schema`); default core's own. */
export function checkConfig(input: unknown, schema: z.ZodType = ConfigSchema): ConfigValidation {
  const result = schema.safeParse(input, { reportInput: true, error: (issue) => expectation(issue) });
  if (result.success) return { ok: true, config: result.data as DifyLogsConfig, issues: [] };
  return { ok: false, config: undefined, issues: toConfigIssues(result.error.issues as z.core.$ZodIssue[]) };
}

/**
 * Validates a merged configuration object and fills in defaults. Throws a DifyConfigError whose `key` names the
 * first offending key and whose message lists every problem, one `key: message` line each.
 * `origin` may say where the value of a key came from (it is appended to the line).
 */
export function validateConfig(
  input: unknown,
  origin?: (key: string) => string | undefined,
  schema: z.ZodType = ConfigSchema,
): DifyLogsConfig {
  const result = checkConfig(input, schema);
  if (!result.ok) throw issuesToError(result.issues, origin);
  return result.config;
}
