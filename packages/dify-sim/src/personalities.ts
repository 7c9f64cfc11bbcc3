import type { DifyPersonality } from './types.js';

/** Everything that differs between the simulated Dify releases. */
export interface Personality {
  version: DifyPersonality;
  /** >= 1.11 writes the log row when a run starts (running runs are listed); before, when it ends. */
  logRowAtStart: boolean;
  /** `workflow_run.triggered_from` and the item's `details` exist from 1.10. */
  hasTriggerFields: boolean;
  /** Webhook and schedule trigger runs (1.12+). */
  hasTriggerRuns: boolean;
  /** Service run detail `outputs` is an object on 1.13, a raw JSON string before. */
  serviceOutputsAsObject: boolean;
  /** 404 for an unknown run on the Service API (1.13), else 200 with every field null. */
  serviceRunNotFound404: boolean;
  /** `restx`: reqparse errors `{"message":"Input payload validation failed","errors":{...}}`; `pydantic`: `{"code":"invalid_param",...}`. */
  validation: 'restx' | 'pydantic';
  /** Statuses the console `workflow-app-logs` filter accepts. */
  consoleLogStatuses: readonly string[];
  /** The console `detail` query parameter (1.10+). */
  hasDetailParam: boolean;
  /** `bearer`: tokens in the login body (0.9.2–1.9.1); `cookie`: cookies + X-CSRF-Token (>= 1.9.2). */
  session: 'bearer' | 'cookie';
  /** The login password must be Base64 (>= 1.11). */
  base64Password: boolean;
  /** Admin API key login that also skips CSRF. */
  adminKey: boolean;
  logoutMethod: 'GET' | 'POST';
  /** `/workflow-runs` takes `status` and `triggered_from` (1.10+); before, it lists debugging runs only. */
  workflowRunFilters: boolean;
  /** Keyword search: <= 1.10 unicode-escapes the keyword and leaves `%`/`_` as wildcards; >= 1.11 matches it literally. */
  keyword: 'unicode-escape' | 'literal';
}

const ALL_STATUSES = ['scheduled', 'running', 'succeeded', 'failed', 'stopped', 'partial-succeeded', 'paused'] as const;

export const PERSONALITIES: Record<DifyPersonality, Personality> = {
  '1.9.1': {
    version: '1.9.1',
    logRowAtStart: false,
    hasTriggerFields: false,
    hasTriggerRuns: false,
    serviceOutputsAsObject: false,
    serviceRunNotFound404: false,
    validation: 'restx',
    consoleLogStatuses: ['succeeded', 'failed', 'stopped', 'partial-succeeded'],
    hasDetailParam: false,
    session: 'bearer',
    base64Password: false,
    adminKey: false,
    logoutMethod: 'GET',
    workflowRunFilters: false,
    keyword: 'unicode-escape',
  },
  '1.11.2': {
    version: '1.11.2',
    logRowAtStart: true,
    hasTriggerFields: true,
    hasTriggerRuns: false,
    serviceOutputsAsObject: false,
    serviceRunNotFound404: false,
    validation: 'pydantic',
    consoleLogStatuses: ALL_STATUSES,
    hasDetailParam: true,
    session: 'cookie',
    base64Password: true,
    adminKey: true,
    logoutMethod: 'POST',
    workflowRunFilters: true,
    keyword: 'literal',
  },
  '1.13.3': {
    version: '1.13.3',
    logRowAtStart: true,
    hasTriggerFields: true,
    hasTriggerRuns: true,
    serviceOutputsAsObject: true,
    serviceRunNotFound404: true,
    validation: 'pydantic',
    consoleLogStatuses: ALL_STATUSES,
    hasDetailParam: true,
    session: 'cookie',
    base64Password: true,
    adminKey: true,
    logoutMethod: 'POST',
    workflowRunFilters: true,
    keyword: 'literal',
  },
};

export const PERSONALITY_NAMES = Object.keys(PERSONALITIES) as DifyPersonality[];

export function isPersonality(value: string): value is DifyPersonality {
  return (PERSONALITY_NAMES as string[]).includes(value);
}
