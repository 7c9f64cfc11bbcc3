import type { AccountSpec } from '../data/catalog.js';
import type { RunStore } from '../data/store.js';
import type { World, WorldApp } from '../data/world.js';
import type { SimRequest, SimResponse } from '../http.js';
import type { Personality } from '../personalities.js';
import type { SessionStore } from '../sessions.js';
import type { SimulatorStats } from '../types.js';

/** What every route handler may use. */
export interface RouteContext {
  world: World;
  store: RunStore;
  sessions: SessionStore;
  personality: Personality;
  /** '' or '__Host-'. */
  cookiePrefix: string;
  adminApiKey: string | undefined;
  /** Apps whose Service API key was revoked. */
  revokedKeys: Set<string>;
  stats: SimulatorStats;
  /** How rows of one second are ordered in log pages (see SimulatorOptions.tieOrder). */
  tieOrder: 'shuffled' | 'stable';
  /** Log list requests served (each gets its own order of tied rows). */
  logRequests: number;
  /** Each account's current workspace (`TenantAccountJoin.current`), when not the first. */
  currentWorkspaces: Map<string, string>;
  /** When each conversation was first opened in the console (`read_at`; completion conversation details set it). */
  readConversations: Map<string, number>;
}

export interface Route {
  method: 'GET' | 'POST';
  /** Matched against the whole path; capture groups become `params`. */
  pattern: RegExp;
  /** The stats key, e.g. `GET /console/api/apps/:appId/workflow-runs`. */
  key: string;
  handle(request: SimRequest, context: RouteContext, params: string[]): SimResponse;
}

export interface ConsoleUser {
  account: AccountSpec;
  /** The tenant the request acts in: the account's current workspace, or the admin key's X-WORKSPACE-ID. */
  tenantId: string;
}

/** `App.query.where(id, tenant_id == current_tenant_id)`: apps of another workspace are not found. */
export function findApp(world: World, appId: string, tenantId: string): WorldApp | undefined {
  return world.apps.find((app) => app.id === appId.toLowerCase() && app.workspaceId === tenantId);
}

/** `AccountService.load_user`: the workspace joined with `current = true` (the first one until a switch). */
export function currentWorkspaceOf(
  context: Pick<RouteContext, 'world' | 'currentWorkspaces'>,
  accountId: string,
): string {
  return context.currentWorkspaces.get(accountId) ?? context.world.workspace.id;
}

/** The workspaces an account joined: the owner every one, members the first. */
export function joinedWorkspaces(world: World, accountId: string) {
  return accountId === world.owner.id ? world.workspaces : [world.workspace];
}
