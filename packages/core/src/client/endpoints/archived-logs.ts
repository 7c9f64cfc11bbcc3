import { z } from 'zod';
import type { ClientContext } from '../context.js';
import { AccountSchema, EndUserSchema } from '../schemas/dify.js';

const timestamp = z.union([z.number(), z.string()]);

/** One row of `workflow-archived-logs`: a reduced run summary (retention kept no more in the database). */
export const ArchivedLogItemSchema = z.object({
  id: z.string(),
  workflow_run: z
    .object({
      id: z.string(),
      status: z.string().nullable().optional(),
      triggered_from: z.string().nullable().optional(),
      elapsed_time: z.number().nullable().optional(),
      total_tokens: z.number().nullable().optional(),
    })
    .nullable()
    .optional(),
  created_by_account: AccountSchema,
  created_by_end_user: EndUserSchema,
  created_at: timestamp,
});

const ArchivedLogPageSchema = z.object({
  page: z.number(),
  limit: z.number(),
  total: z.number(),
  has_more: z.boolean(),
  data: z.array(ArchivedLogItemSchema),
});

export type DifyArchivedLogItem = z.infer<typeof ArchivedLogItemSchema>;
export type ArchivedLogPage = z.infer<typeof ArchivedLogPageSchema>;

/**
 * One page of the runs Dify's retention archived (`GET /console/api/apps/<id>/workflow-archived-logs`, 1.13+;
 * `api/controllers/console/app/workflow_app_log.py:108-135` @1.13.0): page and limit only, newest run first.
 * null when Dify has no such endpoint (404 before 1.13).
 */
export async function fetchArchivedLogPage(
  context: ClientContext,
  appId: string,
  query: { page?: number; limit?: number } = {},
): Promise<ArchivedLogPage | null> {
  return context.call(
    {
      surface: 'console',
      path: `/apps/${encodeURIComponent(appId)}/workflow-archived-logs`,
      query: { page: query.page ?? 1, limit: query.limit ?? 100 },
      nullOn: [404],
    },
    ArchivedLogPageSchema,
  );
}
