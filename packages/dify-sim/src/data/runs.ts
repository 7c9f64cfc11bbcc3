import type { AccountSpec } from './catalog.js';
import { conversationIndexOf, conversationUuid } from './chat-layout.js';
import { deriveUuid, encodeRunId, RUN_KIND_DEBUG, type RunRef } from './ids.js';
import { planNodes, type NodePlan, type PlanStatus } from './nodes.js';
import { createRandom, hash32, round, stringHash, unit5 } from './prng.js';
import { pythonJson } from './python-json.js';
import { createContent, type RunContent } from './texts.js';
import { endUser, endUserSlot, SALT, type EndUser, type World, type WorldApp } from './world.js';

export type Creator = { role: 'end_user'; endUser: EndUser } | { role: 'account'; account: AccountSpec };

/** What can be known about a run from a few hashes: enough to filter millions of runs quickly. */
export interface RunSummary {
  ref: RunRef;
  app: WorldApp;
  id: string;
  logId: string;
  /** The run row is gone (the log row stays, with `workflow_run: null`). */
  lost: boolean;
  status: PlanStatus;
  creator: Creator;
  createdFrom: 'service-api' | 'web-app' | 'installed-app';
  triggeredFrom: 'app-run' | 'debugging' | 'webhook' | 'schedule';
  version: string;
  workflowId: string;
  /** The log row's time (run start on >= 1.11, run end before); the start time for debugging runs. */
  timeMs: number;
}

/** Everything about a run: content, node plan, totals and times. */
export interface RunDetail extends RunSummary {
  content: RunContent;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  /** The raw DB text of inputs and outputs (Python json.dumps, ASCII-escaped). */
  inputsText: string;
  outputsText: string | null;
  error: string | null;
  plan: NodePlan;
  exceptionsCount: number;
  totalTokens: number;
  totalSteps: number;
  elapsedTime: number;
  createdAtMs: number;
  finishedAtMs: number | null;
}

/** Where a run sits: which kind and index, its time, and whether it is (or was) one of the running runs. */
export interface RunPosition {
  kind: number;
  index: number;
  timeMs: number;
  running: boolean;
  /** A running run that waits at a Human Input node (status `paused`). */
  paused?: boolean;
  /** Was running and has been completed by `completeRunningRuns`. */
  completed: boolean;
  /** Lost runs can only be original (not added, never running) runs. */
  mayBeLost: boolean;
  /** Share of failed runs among added runs given a failure rate (`addRuns(…, { failureRate })`). */
  failureRate?: number;
}

/** The facts filters need, from hashes alone (no strings): cheap enough to scan millions of runs. */
export interface RunTraits {
  status: PlanStatus;
  lost: boolean;
  creator: 'account' | 'end_user' | 'schedule' | 'webhook';
  /** Index into world.accounts when the creator is an account. */
  accountIndex: number;
  /** End-user slot when the creator is an end user. */
  endUserSlot: number;
  draft: boolean;
}

function terminalStatus(share: number): PlanStatus {
  if (share < 0.8) return 'succeeded';
  if (share < 0.9) return 'failed';
  if (share < 0.96) return 'partial-succeeded';
  return 'stopped';
}

export function runTraits(world: World, app: WorldApp, position: RunPosition): RunTraits {
  const { kind, index } = position;
  const seed = world.seed;
  const appIndex = app.index;
  if (kind === RUN_KIND_DEBUG) {
    const status = unit5(seed, SALT.status, appIndex, kind, index) < 0.75 ? 'succeeded' : 'failed';
    return { status, lost: false, creator: 'account', accountIndex: 0, endUserSlot: 0, draft: true };
  }
  let status: PlanStatus;
  if (position.running) status = position.paused ? 'paused' : 'running';
  else if (position.completed)
    status = unit5(seed, SALT.completion, appIndex, kind, index) < 0.8 ? 'succeeded' : 'failed';
  else if (position.failureRate !== undefined)
    status = unit5(seed, SALT.status, appIndex, kind, index) < position.failureRate ? 'failed' : 'succeeded';
  else status = terminalStatus(unit5(seed, SALT.status, appIndex, kind, index));
  const lost = position.mayBeLost && unit5(seed, SALT.lost, appIndex, kind, index) < world.lostRunRate;
  const draft = unit5(seed, SALT.runVersion, appIndex, kind, index) < 0.005;
  const triggerShare = unit5(seed, SALT.trigger, appIndex, kind, index);
  let creator: RunTraits['creator'] = 'end_user';
  let accountIndex = 0;
  let slot = 0;
  // A conversation belongs to one end user or account: Dify continues it only for the user who started it
  // (`ConversationService.get_conversation`, `api/services/conversation_service.py`), so a chat app's message has
  // the creator of its conversation's first message.
  const grouped = ['advanced-chat', 'chat', 'agent-chat'].includes(app.template.mode);
  const share = unit5(seed, SALT.creator, appIndex, kind, grouped ? conversationIndexOf(index).first : index);
  if (world.personality.hasTriggerRuns && app.template.mode === 'workflow' && triggerShare < 0.04)
    creator = triggerShare < 0.025 ? 'schedule' : 'webhook';
  else if (share < 0.1) {
    creator = 'account';
    accountIndex = Math.floor((share / 0.1) * world.accounts.length);
  } else slot = endUserSlot((share - 0.1) / 0.9);
  return { status, lost, creator, accountIndex, endUserSlot: slot, draft };
}

function versionAt(app: WorldApp, timeMs: number) {
  let chosen = app.versions[0]!;
  for (const version of app.versions) if (version.publishedAtMs <= timeMs) chosen = version;
  return chosen;
}

export function summarizeRun(
  world: World,
  app: WorldApp,
  position: RunPosition,
  traits = runTraits(world, app, position),
): RunSummary {
  const { kind, index } = position;
  const ref = { kind, appIndex: app.index, index };
  const debug = kind === RUN_KIND_DEBUG;
  const published = debug || traits.draft ? undefined : versionAt(app, position.timeMs);
  let creator: Creator;
  let createdFrom: RunSummary['createdFrom'] = 'service-api';
  let triggeredFrom: RunSummary['triggeredFrom'] = debug ? 'debugging' : 'app-run';
  if (debug) {
    creator = { role: 'account', account: world.owner };
    createdFrom = 'web-app';
  } else if (traits.creator === 'schedule' || traits.creator === 'webhook') {
    creator = { role: 'account', account: world.owner };
    triggeredFrom = traits.creator;
  } else if (traits.creator === 'account') {
    creator = { role: 'account', account: world.accounts[traits.accountIndex] ?? world.owner };
    createdFrom = 'installed-app';
  } else {
    const user = endUser(world, app.index, traits.endUserSlot);
    creator = { role: 'end_user', endUser: user };
    if (user.type === 'browser') createdFrom = 'web-app';
  }
  return {
    ref,
    app,
    id: encodeRunId(world.idKey, ref),
    logId: deriveUuid(world.seed, SALT.logId, app.index, kind, index),
    lost: traits.lost,
    status: traits.status,
    creator,
    createdFrom,
    triggeredFrom,
    version: published?.version ?? 'draft',
    workflowId: published?.id ?? app.draftWorkflowId,
    timeMs: position.timeMs,
  };
}

/** A chatflow run's system inputs: its message's question and conversation (see chat-layout.ts). */
function chatInputs(world: World, summary: RunSummary, content: RunContent): Record<string, unknown> {
  const { conversation, first } = conversationIndexOf(summary.ref.index);
  const debug = summary.ref.kind === RUN_KIND_DEBUG;
  return {
    'sys.query': content.prompt,
    'sys.conversation_id': debug
      ? deriveUuid(world.seed, SALT.content, summary.app.index, summary.ref.index, 0xc0)
      : conversationUuid(world.seed, summary.app.index, conversation),
    'sys.dialogue_count': debug ? 1 : summary.ref.index - first + 1,
  };
}

function systemInputs(world: World, summary: RunSummary, content: RunContent): Record<string, unknown> {
  const userId = summary.creator.role === 'account' ? summary.creator.account.id : summary.creator.endUser.sessionId;
  const conversation = summary.app.template.mode === 'advanced-chat' ? chatInputs(world, summary, content) : {};
  return {
    ...conversation,
    ...content.userInputs,
    'sys.files': [],
    'sys.user_id': userId,
    'sys.app_id': summary.app.id,
    'sys.workflow_id': summary.workflowId,
    'sys.workflow_run_id': summary.id,
  };
}

/** The content of a run (inputs and outputs) without planning nodes: enough for keyword search. */
export function runContent(world: World, summary: RunSummary): RunContent {
  const content = createContent(
    summary.app.template.content,
    createRandom(hash32(world.seed, SALT.content, summary.app.index, summary.ref.kind, summary.ref.index)),
  );
  return world.plantedText === null ? content : plant(content, world.plantedText);
}

/** `text` in every input, output, prompt, answer and request of a run (see `plantedText`). */
function plant(content: RunContent, text: string): RunContent {
  const add = (value: string) => `${value} ${text}`;
  const strings = (record: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(record).map(([key, value]) => [key, typeof value === 'string' ? add(value) : value]),
    );
  return {
    ...content,
    userInputs: { ...strings(content.userInputs), note: text },
    outputs: strings(content.outputs),
    prompt: add(content.prompt),
    answer: add(content.answer),
    itemAnswers: content.itemAnswers.map(add),
    request: { ...content.request, body: add(content.request.body), responseBody: add(content.request.responseBody) },
  };
}

/** The raw DB text of a run's inputs and, lazily, outputs (for keyword search). */
export function runTexts(world: World, summary: RunSummary): { inputsText: string; outputsText(): string | null } {
  const content = runContent(world, summary);
  return {
    inputsText: pythonJson(systemInputs(world, summary, content)),
    outputsText() {
      const outputs = outputsOf(summary.status, content);
      return outputs === null ? null : pythonJson(outputs);
    },
  };
}

function outputsOf(status: PlanStatus, content: RunContent): Record<string, unknown> | null {
  if (status === 'running' || status === 'paused') return null;
  if (status === 'failed' || status === 'stopped') return {};
  return content.outputs;
}

export function detailRun(world: World, summary: RunSummary): RunDetail {
  const content = runContent(world, summary);
  const inputs = systemInputs(world, summary, content);
  const outputs = outputsOf(summary.status, content);
  const random = createRandom(
    hash32(world.seed, SALT.nodes, summary.app.index, summary.ref.kind, summary.ref.index, stringHash(summary.status)),
  );
  const plan = planNodes(
    summary.app.template,
    summary.app.index,
    summary.status,
    random,
    Math.max(1, content.items.length),
    content.request.url,
  );
  if (world.plantedText !== null) {
    const text = world.plantedText;
    plan.error = plan.error === null ? null : `${plan.error} ${text}`;
    plan.nodes = plan.nodes.map((node) => ({
      ...node,
      step: { ...node.step, title: `${node.step.title} ${text}` },
      error: node.error === null ? null : `${node.error} ${text}`,
    }));
  }
  const running = summary.status === 'running' || summary.status === 'paused';
  const durationMs = running ? 0 : plan.durationMs + random.int(5, 80);
  const startAtEnd = summary.ref.kind !== RUN_KIND_DEBUG && !world.personality.logRowAtStart;
  const createdAtMs = startAtEnd ? summary.timeMs - durationMs : summary.timeMs;
  return {
    ...summary,
    content,
    inputs,
    outputs,
    inputsText: pythonJson(inputs),
    outputsText: outputs === null ? null : pythonJson(outputs),
    error: plan.error,
    plan,
    exceptionsCount: plan.exceptionsCount,
    totalTokens: running ? 0 : plan.nodes.reduce((sum, node) => sum + (node.usage?.totalTokens ?? 0), 0),
    totalSteps: running ? 0 : plan.nodes.length,
    elapsedTime: running ? 0 : round(durationMs / 1000, 6),
    createdAtMs,
    finishedAtMs: running ? null : createdAtMs + durationMs,
  };
}
