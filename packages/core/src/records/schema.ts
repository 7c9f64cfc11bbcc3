import { z } from 'zod';

const isoTime = z.string().describe('ISO-8601 UTC timestamp, e.g. 2026-03-02T08:35:12.000Z');
const jsonObject = z.record(z.string(), z.unknown());

export const RUN_STATUSES = [
  'running',
  'succeeded',
  'failed',
  'stopped',
  'partial-succeeded',
  'scheduled',
  'paused',
] as const;
/** Statuses after which a run never changes again. */
export const TERMINAL_RUN_STATUSES = ['succeeded', 'failed', 'stopped', 'partial-succeeded'] as const;

export const NodeRecordSchema = z
  .object({
    id: z.string().describe('Node execution id (UUID)'),
    nodeId: z.string().describe('Graph node key, e.g. "1711068257370" or "llm"'),
    nodeType: z.string().describe('Open set: llm, code, http-request, if-else, iteration, tool, agent, …'),
    title: z.string().nullable(),
    index: z.number().int(),
    predecessorNodeId: z.string().nullable(),
    status: z.string().describe('running | succeeded | failed | exception | retry | pending | stopped | paused'),
    error: z.string().nullable(),
    elapsedTime: z.number().nullable().describe('Seconds'),
    totalTokens: z.number().int().describe('0 when the node used no model'),
    promptTokens: z
      .number()
      .int()
      .nullable()
      .optional()
      .describe('Prompt (input) tokens of a model node, from process_data.usage; null when Dify sent none'),
    completionTokens: z
      .number()
      .int()
      .nullable()
      .optional()
      .describe('Completion (output) tokens of a model node, from process_data.usage; null when Dify sent none'),
    totalPrice: z.number().nullable().describe('As Dify priced it; null when Dify sent no price'),
    currency: z.string().nullable(),
    modelProvider: z.string().nullable(),
    modelName: z.string().nullable(),
    iterationId: z.string().nullable(),
    iterationIndex: z.number().int().nullable(),
    loopId: z.string().nullable(),
    loopIndex: z.number().int().nullable(),
    createdAt: isoTime,
    finishedAt: isoTime.nullable(),
    inputs: jsonObject.nullable().optional().describe('Only with includeNodeData'),
    outputs: jsonObject.nullable().optional().describe('Only with includeNodeData'),
    processData: jsonObject.nullable().optional().describe('Only with includeNodeData'),
    truncated: z
      .object({ inputs: z.boolean(), outputs: z.boolean(), processData: z.boolean() })
      .optional()
      .describe(
        'Present when Dify offloaded a large value and sent a cut ' +
          'one: the value on this record (or in Dify) is not the whole',
      ),
  })
  .describe('One node execution of a workflow run (iterations and loops give one per inner node per round)');

export const EnrichmentErrorSchema = z
  .object({ code: z.string(), message: z.string(), stage: z.enum(['detail', 'nodes']) })
  .describe('Why the run detail or node executions could not be fetched after retries');

export const RunPauseSchema = z
  .object({
    pausedAt: isoTime.nullable().describe('When the run paused'),
    nodes: z
      .array(
        z.object({
          nodeId: z.string(),
          nodeTitle: z.string().nullable(),
          type: z.string().describe('Why the node waits: human_input (a form for a person)'),
          formId: z.string().nullable().describe('The Human Input form (its answer URL, a credential, is not kept)'),
        }),
      )
      .describe('The nodes the run waits at'),
  })
  .describe("Where and why a paused run waits (Dify >= 1.13's pause-details)");

export const RunRecordSchema = z
  .object({
    appId: z.string(),
    logId: z.string().describe('Dify workflow app log id: the unit of de-duplication'),
    runId: z.string().nullable().describe('null when Dify lost the run row'),
    status: z
      .string()
      .nullable()
      .describe('running | succeeded | failed | stopped | partial-succeeded | scheduled | paused'),
    workflowVersion: z.string().nullable().describe('"draft" or the published version timestamp'),
    triggeredFrom: z
      .string()
      .nullable()
      .describe('app-run, debugging, webhook, schedule, plugin, …; null before Dify 1.10'),
    createdFrom: z.string().nullable().describe('service-api | web-app | installed-app'),
    createdByRole: z.string().nullable().describe('account | end_user'),
    endUserSessionId: z.string().nullable(),
    accountEmail: z.string().nullable(),
    loggedAt: isoTime.describe('When Dify wrote the log row (run start on Dify >= 1.11, run end before)'),
    createdAt: isoTime.describe('Run start (the log time when the run row is lost)'),
    finishedAt: isoTime.nullable().describe('null while running'),
    elapsedTime: z.number().nullable().describe('Seconds'),
    totalTokens: z.number().int().nullable(),
    totalSteps: z.number().int().nullable(),
    exceptionsCount: z.number().int().nullable(),
    error: z.string().nullable(),
    inputs: jsonObject.nullable().describe('Parsed; null when run detail was not fetched or the run is lost'),
    outputs: jsonObject.nullable().describe('Parsed; null when run detail was not fetched or the run is lost'),
    nodes: z.array(NodeRecordSchema).nullable().describe('Sorted by index ascending; null when not fetched'),
    enrichmentError: EnrichmentErrorSchema.nullable(),
    archived: z
      .literal(true)
      .optional()
      .describe(
        "Read from Dify's archive (workflow-archived-logs, 1.13+): the run " +
          'left the logs; only status, trigger, time, run time and tokens remain',
      ),
    pause: RunPauseSchema.optional().describe('Paused runs on Dify >= 1.13 with console access: where they wait'),
    conversationId: z
      .string()
      .optional()
      .describe('Chatflow runs only: the conversation of the message the run answered'),
    messageId: z
      .string()
      .optional()
      .describe('Chatflow runs only: the message the run answered (also the logId: chatflows have no log rows)'),
  })
  .describe('One Dify workflow run log, normalised by dify-logs');

export type NodeRecord = z.infer<typeof NodeRecordSchema>;
export type RunRecord = z.infer<typeof RunRecordSchema>;
export type EnrichmentError = z.infer<typeof EnrichmentErrorSchema>;
export type RunPause = z.infer<typeof RunPauseSchema>;

export function isTerminalStatus(status: string | null): boolean {
  return status !== null && (TERMINAL_RUN_STATUSES as readonly string[]).includes(status);
}

/** The JSON Schema (draft 2020-12) of `RunRecord`, generated from the zod schema. */
export function runRecordJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(RunRecordSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
}
