import { z } from 'zod';
import type { RunPause } from '../../records/schema.js';
import type { ClientContext } from '../context.js';
import type { RunRequestOptions } from './runs.js';

/**
 * `GET /console/api/workflow/<run_id>/pause-details` (`ConsoleWorkflowPauseDetailsApi`,
 * `api/controllers/console/app/workflow_run.py:462-524` @1.13.0, PR #32060). `backstage_input_url` is not read:
 * whoever holds it can answer the form.
 */
const PauseDetailsSchema = z.object({
  paused_at: z.string().nullable().optional(),
  paused_nodes: z
    .array(
      z.object({
        node_id: z.string(),
        node_title: z.string().nullable().optional(),
        pause_type: z.object({ type: z.string(), form_id: z.string().nullable().optional() }).nullable().optional(),
      }),
    )
    .nullable()
    .optional(),
});

/** Dify's naive-UTC `isoformat() + "Z"` (microseconds) as an ISO time; null when it does not parse. */
function toIso(value: string | null | undefined): string | null {
  if (!value) return null;
  const time = new Date(/(Z|[+-]\d\d:\d\d)$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(time.getTime()) ? null : time.toISOString();
}

/**
 * Where a paused run waits (Dify >= 1.13): null when Dify has no such endpoint (404 before 1.13), the run is gone
 * or not in the current workspace, or it is not paused (any more).
 */
export async function fetchPauseDetails(
  context: ClientContext,
  runId: string,
  options: RunRequestOptions = {},
): Promise<RunPause | null> {
  const answer = await context.call(
    {
      surface: 'console',
      path: `/workflow/${encodeURIComponent(runId)}/pause-details`,
      nullOn: [404],
      gate: options.gate,
    },
    PauseDetailsSchema,
  );
  if (!answer) return null;
  const nodes = (answer.paused_nodes ?? []).map((node) => ({
    nodeId: node.node_id,
    nodeTitle: node.node_title ?? null,
    type: node.pause_type?.type ?? 'unknown',
    formId: node.pause_type?.form_id ?? null,
  }));
  const pausedAt = toIso(answer.paused_at);
  return pausedAt === null && nodes.length === 0 ? null : { pausedAt, nodes };
}
