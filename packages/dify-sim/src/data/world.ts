import {
  APP_TEMPLATES,
  CHAT_APP_TEMPLATES,
  DEFAULT_ACCOUNT,
  MEMBER_ACCOUNTS,
  type AccountSpec,
  type AppTemplate,
} from './catalog.js';
import { deriveUuid } from './ids.js';
import { hash32, stringHash, unit5 } from './prng.js';
import { PERSONALITIES, type Personality } from '../personalities.js';
import type { SimulatorAccountOptions, SimulatorOptions } from '../types.js';

export const DAY_MS = 86_400_000;

export interface WorkflowVersion {
  id: string;
  /** "YYYY-MM-DD HH:MM:SS.ffffff" */
  version: string;
  publishedAtMs: number;
}

export interface WorldApp {
  index: number;
  id: string;
  apiKey: string;
  template: AppTemplate;
  createdAtMs: number;
  /** Published versions, oldest first. */
  versions: WorkflowVersion[];
  draftWorkflowId: string;
  /** The workspace (tenant) the app belongs to. */
  workspaceId: string;
}

export interface WorldWorkspace {
  id: string;
  name: string;
  createdAtMs: number;
}

export interface EndUser {
  id: string;
  type: 'service-api' | 'browser';
  isAnonymous: boolean;
  sessionId: string;
}

/** The fixed part of the simulated Dify: derived once from the options, never changed. */
export interface World {
  /** Planted in every run's and message's texts (`plantedText`), or null. */
  plantedText: string | null;
  seed: number;
  /** Key of the run-id permutation. */
  idKey: number;
  personality: Personality;
  nowMs: number;
  /** Time of the oldest possible base run. */
  startMs: number;
  spacingMs: number;
  baseCount: number;
  runningRuns: number;
  /** Runs before this time were archived by retention (1.13+), null when none. */
  archivedBeforeMs: number | null;
  /** Of the running runs, the oldest this many are paused (Human Input, 1.13+). */
  pausedRuns: number;
  lostRunRate: number;
  /** The first workspace: the members' only one, the account's current one at start. */
  workspace: WorldWorkspace;
  /** Every workspace the account joined (`TenantAccountJoin`), the first one first. */
  workspaces: WorldWorkspace[];
  owner: AccountSpec;
  accounts: AccountSpec[];
  password: string;
  /** The logged-in account's time zone (its profile; conversation filters are read in it). */
  timezone: string;
  apps: WorldApp[];
  /** End users per app, by slot (see `endUser`). */
  endUsers: EndUser[][];
}

export const SALT = {
  app: 1,
  apiKey: 2,
  version: 3,
  account: 4,
  workspace: 5,
  endUser: 6,
  time: 7,
  status: 8,
  lost: 9,
  creator: 10,
  content: 11,
  nodes: 12,
  logId: 13,
  nodeId: 14,
  draft: 15,
  trigger: 16,
  completion: 17,
  runVersion: 18,
  form: 19,
  annotation: 20,
} as const;

function versionString(ms: number, micro: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(micro).padStart(6, '0')}`;
}

export function createWorld(options: SimulatorOptions): World {
  const seed = (options.seed ?? 1) >>> 0;
  const nowMs = options.now === undefined ? Date.now() : new Date(options.now).getTime();
  if (Number.isNaN(nowMs)) throw new TypeError(`now is not a date: ${String(options.now)}`);
  const baseCount = Math.max(0, Math.floor(options.runsPerApp ?? 200));
  const days = options.days ?? 7;
  if (!(days > 0)) throw new RangeError(`days must be above 0, got ${days}`);
  const startMs = nowMs - days * DAY_MS;
  const account: SimulatorAccountOptions = options.account ?? DEFAULT_ACCOUNT;
  const owner: AccountSpec = {
    id: deriveUuid(seed, SALT.account, 0),
    name: account.name ?? DEFAULT_ACCOUNT.name,
    email: account.email,
    role: account.role ?? 'owner',
  };
  const members = MEMBER_ACCOUNTS.filter((member) => member.email !== account.email).map((member, position) => ({
    ...member,
    id: deriveUuid(seed, SALT.account, position + 1),
  }));
  const templates = options.chatApps ? [...APP_TEMPLATES, ...CHAT_APP_TEMPLATES] : APP_TEMPLATES;
  const workspace: WorldWorkspace = {
    id: deriveUuid(seed, SALT.workspace),
    name: `${owner.name}'s Workspace`,
    createdAtMs: startMs - 60 * DAY_MS,
  };
  const staging: WorldWorkspace | undefined = options.secondWorkspace
    ? { id: deriveUuid(seed, SALT.workspace, 1), name: 'Staging', createdAtMs: startMs - 50 * DAY_MS }
    : undefined;
  // The second workspace holds its own copies of the first two workflow apps (own ids, keys and runs).
  const placed: Array<{ template: AppTemplate; workspaceId: string }> = [
    ...templates.map((template) => ({ template, workspaceId: workspace.id })),
    ...(staging
      ? APP_TEMPLATES.slice(0, 2).map((template) => ({
          template: { ...template, name: `${template.name} (Staging)` },
          workspaceId: staging.id,
        }))
      : []),
  ];
  const apps = placed.map(({ template, workspaceId }, index): WorldApp => {
    const createdAtMs = startMs - (40 + index * 3) * DAY_MS;
    const versions = [0.0, 0.35, 0.8].map((share, position) => {
      const publishedAtMs = position === 0 ? startMs - 20 * DAY_MS : Math.floor(startMs + share * days * DAY_MS);
      return {
        id: deriveUuid(seed, SALT.version, index, position),
        version: versionString(publishedAtMs, hash32(seed, SALT.version, index, position) % 1_000_000),
        publishedAtMs,
      };
    });
    const keyHex = deriveUuid(seed, SALT.apiKey, index).replace(/-/g, '').slice(0, 24);
    return {
      index,
      id: deriveUuid(seed, SALT.app, index),
      apiKey: `app-${keyHex}`,
      template,
      createdAtMs,
      versions,
      draftWorkflowId: deriveUuid(seed, SALT.draft, index),
      workspaceId,
    };
  });
  return {
    seed,
    idKey: hash32(seed, stringHash('dify-sim run ids')),
    personality: PERSONALITIES[options.version ?? '1.13.3'],
    nowMs,
    startMs,
    spacingMs: baseCount === 0 ? 0 : (days * DAY_MS) / baseCount,
    baseCount,
    runningRuns: Math.min(baseCount, Math.max(0, Math.floor(options.runningRuns ?? 2))),
    archivedBeforeMs:
      options.archivedAfterDays !== undefined && PERSONALITIES[options.version ?? '1.13.3'].archivedLogs
        ? nowMs - options.archivedAfterDays * DAY_MS
        : null,
    pausedRuns: PERSONALITIES[options.version ?? '1.13.3'].pauseDetails
      ? Math.min(
          baseCount,
          Math.max(0, Math.floor(options.runningRuns ?? 2)),
          Math.max(0, Math.floor(options.pausedRuns ?? 0)),
        )
      : 0,
    lostRunRate: Math.min(1, Math.max(0, options.lostRunRate ?? 0.01)),
    plantedText: options.plantedText ?? null,
    workspace,
    workspaces: staging ? [workspace, staging] : [workspace],
    owner,
    accounts: [owner, ...members],
    password: account.password,
    timezone: options.accountTimezone ?? 'Asia/Shanghai',
    apps,
    endUsers: apps.map((app) =>
      Array.from({ length: END_USER_SLOTS }, (_, slot) => createEndUser(seed, app.index, slot)),
    ),
  };
}

/** Base run `index` of an app: evenly spaced, with jitter of ±40 % of the spacing (order is kept). */
export function baseRunTime(world: World, appIndex: number, index: number): number {
  const jitter = (unit5(world.seed, SALT.time, appIndex, index, 0) - 0.5) * 0.8;
  return Math.floor(world.startMs + (index + 0.5 + jitter) * world.spacingMs);
}

const SERVICE_USERS = 60;
const BROWSER_USERS = 30;

/** End users of an app: slot 0 is DEFAULT-USER, then API callers, then web-app visitors. */
export function endUser(world: World, appIndex: number, slot: number): EndUser {
  return world.endUsers[appIndex]?.[slot] ?? createEndUser(world.seed, appIndex, slot);
}

function createEndUser(seed: number, appIndex: number, slot: number): EndUser {
  const id = deriveUuid(seed, SALT.endUser, appIndex, slot);
  if (slot === 0) return { id, type: 'service-api', isAnonymous: true, sessionId: 'DEFAULT-USER' };
  if (slot <= SERVICE_USERS) {
    const patterns = [`crm-user-${slot}`, `user_${id.slice(0, 6)}`, `客户_${slot}`, `agent.${slot}@acme.io`];
    return { id, type: 'service-api', isAnonymous: false, sessionId: patterns[slot % patterns.length]! };
  }
  return { id, type: 'browser', isAnonymous: true, sessionId: deriveUuid(seed, SALT.endUser, appIndex, slot, 1) };
}

export function endUserSlot(share: number): number {
  if (share < 0.07) return 0;
  if (share < 0.75) return 1 + Math.floor(((share - 0.07) / 0.68) * SERVICE_USERS);
  return 1 + SERVICE_USERS + Math.floor(((share - 0.75) / 0.25) * BROWSER_USERS);
}

export const END_USER_SLOTS = 1 + SERVICE_USERS + BROWSER_USERS;
