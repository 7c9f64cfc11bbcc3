import { z } from 'zod';

/**
 * Response schemas of the Dify endpoints the client reads. Unknown keys are dropped; fields that
 * differ between Dify releases are unions or optional.
 */
const timestamp = z.union([z.number(), z.string()]);
const looseId = z.string();
/**
 * A JSON value Dify sends as an object or as a JSON-encoded string (by release). Checked for its kind only,
 * not copied: these carry whole prompts and outputs, and parsing is left to the normaliser.
 */
const jsonish = z
  .custom<string | Record<string, unknown> | unknown[] | null | undefined>(
    (value) => value === null || value === undefined || typeof value === 'string' || typeof value === 'object',
    { message: 'expected an object, an array, a JSON string or null' },
  )
  .optional();
const nullableNumber = z.number().nullable().optional();
const nullableString = z.string().nullable().optional();

export const VersionInfoSchema = z.object({
  welcome: z.string().optional(),
  api_version: z.string().optional(),
  server_version: z.string(),
});

export const AppInfoSchema = z.object({
  name: z.string(),
  description: nullableString,
  tags: z.array(z.string()).optional(),
  mode: z.string(),
  author_name: nullableString,
});

export const EndUserSchema = z
  .object({
    id: nullableString,
    type: nullableString,
    is_anonymous: z.boolean().nullable().optional(),
    session_id: nullableString,
  })
  .nullable()
  .optional();

export const AccountSchema = z
  .object({ id: nullableString, name: nullableString, email: nullableString })
  .nullable()
  .optional();

export const LogRunSchema = z.object({
  id: looseId,
  version: nullableString,
  status: z.string(),
  triggered_from: nullableString,
  error: nullableString,
  elapsed_time: nullableNumber,
  total_tokens: nullableNumber,
  total_steps: nullableNumber,
  created_at: timestamp,
  finished_at: timestamp.nullable().optional(),
  exceptions_count: nullableNumber,
});

export const LogItemSchema = z.object({
  id: looseId,
  workflow_run: LogRunSchema.nullable().optional(),
  details: z.unknown().optional(),
  created_from: nullableString,
  created_by_role: nullableString,
  created_by_account: AccountSchema,
  created_by_end_user: EndUserSchema,
  created_at: timestamp,
});

export const LogPageSchema = z.object({
  page: z.number(),
  limit: z.number(),
  total: z.number(),
  has_more: z.boolean(),
  data: z.array(LogItemSchema),
});

/** Service and console run detail. Every field may be null: older Dify answers 200 with nulls for an unknown run. */
export const RunDetailSchema = z.object({
  id: looseId.nullable().optional(),
  workflow_id: nullableString,
  version: nullableString,
  status: nullableString,
  inputs: jsonish,
  outputs: jsonish,
  error: nullableString,
  total_steps: nullableNumber,
  total_tokens: nullableNumber,
  elapsed_time: nullableNumber,
  exceptions_count: nullableNumber,
  created_at: timestamp.nullable().optional(),
  finished_at: timestamp.nullable().optional(),
  /** Console only (`workflow_run_detail_fields`); the end user's `type` tells a web-app run from an API one. */
  created_by_role: nullableString,
  created_by_end_user: EndUserSchema,
});

/** Dify 1.14 declares `index`, `node_id`, `node_type`, `status` and `created_at` optional: only `id` is required. */
export const NodeExecutionSchema = z.object({
  id: looseId,
  index: nullableNumber,
  predecessor_node_id: nullableString,
  node_id: nullableString,
  node_type: nullableString,
  title: nullableString,
  inputs: jsonish,
  process_data: jsonish,
  outputs: jsonish,
  status: nullableString,
  error: nullableString,
  elapsed_time: nullableNumber,
  execution_metadata: jsonish,
  created_at: timestamp.nullable().optional(),
  finished_at: timestamp.nullable().optional(),
  /** True when Dify offloaded a large value and sent a cut one (>= 1.9). */
  inputs_truncated: z.boolean().nullable().optional(),
  outputs_truncated: z.boolean().nullable().optional(),
  process_data_truncated: z.boolean().nullable().optional(),
});

export const NodeExecutionListSchema = z.object({ data: z.array(NodeExecutionSchema) });

export const ConsoleAppSchema = z.object({
  id: looseId,
  name: z.string(),
  description: nullableString,
  mode: z.string(),
  created_at: timestamp.nullable().optional(),
  updated_at: timestamp.nullable().optional(),
  tags: z
    .array(z.object({ name: z.string() }))
    .nullable()
    .optional(),
});

export const ConsoleAppPageSchema = z.object({
  page: z.number(),
  limit: z.number(),
  total: z.number(),
  has_more: z.boolean(),
  data: z.array(ConsoleAppSchema),
});

export const WorkspaceListSchema = z.object({
  workspaces: z.array(z.object({ id: z.string(), name: z.string().optional(), current: z.boolean().optional() })),
});

export type VersionInfo = z.infer<typeof VersionInfoSchema>;
export type AppInfo = z.infer<typeof AppInfoSchema>;
export type DifyLogItem = z.infer<typeof LogItemSchema>;
export type DifyLogPage = z.infer<typeof LogPageSchema>;
export type DifyRunDetail = z.infer<typeof RunDetailSchema>;
export type DifyNodeExecution = z.infer<typeof NodeExecutionSchema>;
export type DifyConsoleApp = z.infer<typeof ConsoleAppSchema>;
