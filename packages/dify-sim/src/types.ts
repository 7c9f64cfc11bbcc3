/** The Dify releases whose API behaviour the simulator reproduces. */
export type DifyPersonality = '1.9.1' | '1.10.1' | '1.11.0' | '1.11.1' | '1.11.2' | '1.13.3';

export interface FaultOptions {
  /** Fixed added latency per request (default 0). */
  latencyMs?: number;
  /** Plus a uniform random 0..jitterMs. */
  jitterMs?: number;
  /** 0..1 probability of 429 `too_many_requests` in Dify's error shape. */
  rate429?: number;
  /** Retry-After header value on 429 (default 1); may be 0; null sends none (a gateway's 429). */
  retryAfterSeconds?: number | null;
  /** Probability of 500 `{"message":"Internal Server Error","code":"unknown","status":500}`. */
  rate5xx?: number;
  /** Probability of destroying the socket without a response (connection reset). */
  rateReset?: number;
  /** Probability of sending the headers, then the body in slow chunks over `slowBodyMs`. */
  rateSlowBody?: number;
  /** Total time a slow body takes (default 2000). */
  slowBodyMs?: number;
  /** Probability of 200 with a truncated (invalid) JSON body. */
  rateMalformed?: number;
  /** Probability of an nginx-style 502 text/html page. */
  rate502Html?: number;
  /** Regex source: faults apply only to request paths matching it (default: all but `GET /v1/`, login and refresh). */
  paths?: string;
}

/** A server of limited capacity (see capacity.ts): for testing how politely a client adapts. */
export interface CapacityOptions {
  /** Requests served at once. */
  maxInFlight: number;
  /** `429`: refuse the excess at once (default); `queue`: make it wait (latency grows). */
  mode?: '429' | 'queue';
  /** How long each request holds its slot (default 50 ms). */
  serviceMs?: number;
}

export interface SimulatorAccountOptions {
  email: string;
  password: string;
  name?: string;
  /** Workspace role (default owner); conversations need editor or above. */
  role?: 'owner' | 'admin' | 'editor' | 'normal';
}

export interface SimulatorOptions {
  /** Default '1.13.3'. */
  version?: DifyPersonality;
  /** Default 0 (ephemeral); the host is always 127.0.0.1. */
  port?: number;
  /** Default 1; the same seed gives byte-identical data. */
  seed?: number;
  /** Runs per app (default 200); computed on demand, so millions are fine. */
  runsPerApp?: number;
  /** Runs are spread over this many days before `now` (default 7). */
  days?: number;
  /** Anchor time (default: the current time at start). */
  now?: Date | string;
  /** The newest N runs of each app are `running` (default 2). */
  runningRuns?: number;
  /**
   * Of the `runningRuns`, the oldest N of each app wait for a person at a Human Input node: status `paused`, and
   * `GET /console/api/workflow/<run_id>/pause-details` names the node and the form (default 0; 1.13.3 only,
   * earlier personalities have no Human Input node and keep them running).
   */
  pausedRuns?: number;
  /**
   * Dify's retention (paid cloud plans, `services/retention/workflow_run/*`) archived the runs older than this many
   * days: they leave `workflow-app-logs` and are listed by `GET /console/api/apps/<id>/workflow-archived-logs`
   * (1.13.3; earlier personalities ignore it). Default: nothing archived.
   */
  archivedAfterDays?: number;
  /** Share of log rows whose workflow_run row is gone (default 0.01). */
  lostRunRate?: number;
  /**
   * Rows of one second in log pages: `shuffled` (default), a new order per request, as Dify's SQL (ordered by a
   * second-precision `created_at` only) gives them; `stable`, always the same order.
   */
  tieOrder?: 'shuffled' | 'stable';
  /** Use `__Host-` cookie names (default false). */
  hostPrefixCookies?: boolean;
  /** Serve HTTPS with this key and certificate (PEM); the URL is then `https://localhost:<port>`. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /**
   * The account also belongs to a second workspace, `Staging`, with two workflow apps of its own (default false).
   * The current workspace is account state, as Dify's `TenantAccountJoin.current`: `switchWorkspace` (a browser)
   * or `POST /console/api/workspaces/switch` (any session) changes it for every session of the account.
   */
  secondWorkspace?: boolean;
  /** Also a chat, an agent-chat and a completion app (conversations and messages, no workflow runs). Default false. */
  chatApps?: boolean;
  /**
   * Text planted in every run's inputs, outputs, errors and node titles and in every chat message (an end user's
   * personal data, say): for tests of what reaches reports, archives and sinks.
   */
  plantedText?: string;
  /** The account's time zone, in its profile and for conversation filters (default Asia/Shanghai). */
  accountTimezone?: string;
  /** Enables admin-key auth (`Authorization: Bearer <key>` + `X-WORKSPACE-ID`) when set. */
  adminApiKey?: string;
  /** Default 3600. */
  accessTokenTtlSeconds?: number;
  /** An access token also expires after authenticating this many console requests (default: no limit). */
  accessTokenTtlRequests?: number;
  /** Default ops@example.com / 'dify-sim-password'. */
  account?: SimulatorAccountOptions;
  faults?: FaultOptions;
  /** Limited capacity (default: unlimited). */
  capacity?: CapacityOptions;
  /**
   * Dify's own API server as its Docker image starts it: gunicorn with one gevent worker
   * (`SERVER_WORKER_AMOUNT=1`) of `SERVER_WORKER_CONNECTIONS` connections (default 10), behind nginx that opens
   * one upstream connection per request. At most this many requests are served at once and the rest wait
   * (never refused): `capacity: { maxInFlight: n, mode: 'queue' }`. Ignored when `capacity` is given.
   */
  workerConnections?: number;
}

export interface SimApp {
  id: string;
  name: string;
  mode: 'workflow' | 'advanced-chat' | 'chat' | 'agent-chat' | 'completion';
  apiKey: string;
  /** The workspace the app belongs to. */
  workspaceId: string;
}

export interface SimulatorStats {
  requests: number;
  /**
   * Keyed by method and route pattern, e.g. `GET /v1/workflows/logs` or
   * `GET /console/api/apps/:appId/workflow-runs/:runId`.
   */
  byRoute: Record<string, number>;
  logins: number;
  refreshes: number;
  failedLogins: number;
  faultsInjected: number;
  /** Requests refused by the capacity limit (429 mode). */
  capacityRejected: number;
  /** Most requests served at once under a capacity limit. */
  peakInFlight: number;
  /**
   * Time requests spent waiting for a slot of a limited capacity (queue mode), summed (ms). Over the elapsed time it is
   * the mean number of requests waiting on the server (Little's law).
   */
  queuedMs: number;
}

/** Everything a simulator offers except its network address: what `createSimulatorHandler` returns. */
export interface SimulatorControls {
  version: DifyPersonality;
  /**
   * Default: 3 workflow apps and 1 advanced-chat app (and a chat, an agent-chat and a completion app with
   * `chatApps`).
   */
  apps: SimApp[];
  /** The first workspace. */
  workspaceId: string;
  /** Every workspace of the account (two with `secondWorkspace`). */
  workspaces: Array<{ id: string; name: string }>;
  /** The account's current workspace (`TenantAccountJoin.current`). */
  currentWorkspaceId(): string;
  /** Makes another workspace current for the account, as a person switching it in the browser would. */
  switchWorkspace(workspaceId: string): void;
  account: { email: string; password: string };
  stats(): SimulatorStats;
  resetStats(): void;
  setFaults(faults: FaultOptions | undefined): void;
  /** Changes (or with undefined removes) the capacity limit, effective for the next requests. */
  setCapacity(capacity: CapacityOptions | undefined): void;
  /** That app's key now gets 401 "Access token is invalid". */
  revokeApiKey(appId: string): void;
  /** Appends `count` runs newer than the current newest (live traffic, page drift). */
  /**
   * New finished runs after the current ones; `failureRate` (0..1) sets the share that fail (default: the usual
   * mix).
   */
  addRuns(appId: string, count: number, options?: { failureRate?: number }): void;
  /** Running runs become terminal (succeeded or failed), with finished_at and node executions. */
  completeRunningRuns(): void;
  /** Every issued access and CSRF token expires: the next console call gets 401 "Token has expired.". */
  expireAccessTokens(): void;
  /** Every session token (access, refresh, CSRF) issued so far: secrets a client must never write anywhere. */
  issuedTokens(): string[];
}

export interface DifySimulator extends SimulatorControls {
  /** e.g. http://127.0.0.1:43121, or https://localhost:43121 with `tls` (no trailing slash). */
  url: string;
  port: number;
  close(): Promise<void>;
}
