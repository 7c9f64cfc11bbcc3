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
  /**
   * `restx`: reqparse errors `{"message":"Input payload validation failed","errors":{...}}`; `pydantic`:
   * `{"code":"invalid_param",...}`.
   */
  validation: 'restx' | 'pydantic';
  /** Statuses the console `workflow-app-logs` filter accepts. */
  consoleLogStatuses: readonly string[];
  /** The console `detail` query parameter (1.10+). */
  hasDetailParam: boolean;
  /** `bearer`: tokens in the login body (0.9.2–1.9.1); `cookie`: cookies + X-CSRF-Token (>= 1.9.2). */
  session: 'bearer' | 'cookie';
  /** The login password must be Base64 (`@decrypt_password_field`, >= 1.11.2); before, it is compared as sent. */
  base64Password: boolean;
  /**
   * The admin API key (`Authorization: Bearer <key>` + `X-WORKSPACE-ID`): `accepted` without CSRF (<= 1.9.1, which has
   * no CSRF, and >= 1.11.0, whose `check_csrf_token` skips it); `csrf-refused` on 1.9.2–1.10.x, where the key logs in
   * but every call then fails the CSRF check.
   */
  adminKey: 'accepted' | 'csrf-refused';
  logoutMethod: 'GET' | 'POST';
  /** `/workflow-runs` takes `status` and `triggered_from` (1.10+); before, it lists debugging runs only. */
  workflowRunFilters: boolean;
  /**
   * Keyword search: <= 1.11.2 unicode-escapes the keyword and leaves `%`/`_` as wildcards; >= 1.11.3 matches it
   * literally (`escape_like_pattern`, PR #30450).
   */
  keyword: 'unicode-escape' | 'literal';
  /**
   * The Human Input node pauses runs, and `GET /console/api/workflow/<run_id>/pause-details` says where (1.13.0+,
   * PR #32060).
   */
  pauseDetails: boolean;
  /** `GET /console/api/apps/<id>/workflow-archived-logs` (1.13.0+): runs the retention archived. */
  archivedLogs: boolean;
}

const ALL_STATUSES = ['scheduled', 'running', 'succeeded', 'failed', 'stopped', 'partial-succeeded', 'paused'] as const;
/** <= 1.10.x: reqparse `choices` in `controllers/console/app/workflow_app_log.py`. */
const OLD_CONSOLE_STATUSES = ['succeeded', 'failed', 'stopped', 'partial-succeeded'] as const;

/** 1.10.x: cookies + CSRF, trigger fields, log row at run end, reqparse validation, the admin key refused by CSRF. */
const V1_10_1: Personality = {
  version: '1.10.1',
  logRowAtStart: false,
  hasTriggerFields: true,
  hasTriggerRuns: false,
  serviceOutputsAsObject: false,
  serviceRunNotFound404: false,
  validation: 'restx',
  consoleLogStatuses: OLD_CONSOLE_STATUSES,
  hasDetailParam: true,
  session: 'cookie',
  base64Password: false,
  adminKey: 'csrf-refused',
  logoutMethod: 'POST',
  workflowRunFilters: true,
  keyword: 'unicode-escape',
  pauseDetails: false,
  archivedLogs: false,
};

/** 1.11.0 and 1.11.1: pydantic validation, every status, log row at run start, admin key skips CSRF, plain password. */
const V1_11_0: Personality = {
  ...V1_10_1,
  version: '1.11.0',
  logRowAtStart: true,
  validation: 'pydantic',
  consoleLogStatuses: ALL_STATUSES,
  adminKey: 'accepted',
};

export const PERSONALITIES: Record<DifyPersonality, Personality> = {
  '1.9.1': {
    version: '1.9.1',
    logRowAtStart: false,
    hasTriggerFields: false,
    hasTriggerRuns: false,
    serviceOutputsAsObject: false,
    serviceRunNotFound404: false,
    validation: 'restx',
    consoleLogStatuses: OLD_CONSOLE_STATUSES,
    hasDetailParam: false,
    session: 'bearer',
    base64Password: false,
    adminKey: 'accepted',
    logoutMethod: 'GET',
    workflowRunFilters: false,
    keyword: 'unicode-escape',
    pauseDetails: false,
    archivedLogs: false,
  },
  '1.10.1': V1_10_1,
  '1.11.0': V1_11_0,
  '1.11.1': { ...V1_11_0, version: '1.11.1' },
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
    adminKey: 'accepted',
    logoutMethod: 'POST',
    workflowRunFilters: true,
    keyword: 'unicode-escape',
    pauseDetails: false,
    archivedLogs: false,
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
    adminKey: 'accepted',
    logoutMethod: 'POST',
    workflowRunFilters: true,
    keyword: 'literal',
    pauseDetails: true,
    archivedLogs: true,
  },
};

export const PERSONALITY_NAMES = Object.keys(PERSONALITIES) as DifyPersonality[];

export function isPersonality(value: string): value is DifyPersonality {
  return (PERSONALITY_NAMES as string[]).includes(value);
}
