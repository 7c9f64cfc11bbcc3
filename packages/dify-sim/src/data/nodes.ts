import { nodeKey, type AppTemplate, type ModelSpec, type StepTemplate } from './catalog.js';
import { round, type Random } from './prng.js';
import { CODE_ERRORS, HTTP_ERRORS, LLM_ERRORS } from './texts.js';

export type PlanStatus = 'succeeded' | 'failed' | 'stopped' | 'partial-succeeded' | 'running' | 'paused';

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  promptPrice: number;
  completionPrice: number;
  totalPrice: number;
  latency: number;
  /** execution_metadata.total_price as a decimal string (true) or a number. */
  priceAsString: boolean;
}

/** One node execution, before payloads are attached. Times are milliseconds after the run started. */
export interface PlannedNode {
  step: StepTemplate;
  nodeId: string;
  predecessorNodeId: string | null;
  status: 'succeeded' | 'failed' | 'exception' | 'running';
  error: string | null;
  /** Seconds; 0 while running. */
  elapsed: number;
  startOffsetMs: number;
  endOffsetMs: number | null;
  usage: LlmUsage | null;
  /** Inner node of an iteration: the iteration's node id and the round. */
  iteration: { parentNodeId: string; round: number } | null;
  /** For an iteration node: seconds per round. */
  roundDurations: number[] | null;
  /** The payload was cut by Dify's variable truncation. */
  truncated: boolean;
}

export interface NodePlan {
  nodes: PlannedNode[];
  /** Run error (`Node <title> run failed: <reason>`), null unless failed. */
  error: string | null;
  exceptionsCount: number;
  /** Milliseconds from run start to the end of the last node. */
  durationMs: number;
}

const ELAPSED: Record<StepTemplate['type'], [number, number]> = {
  start: [0.004, 0.03],
  llm: [0.6, 5.5],
  code: [0.04, 0.45],
  'http-request': [0.08, 2.4],
  'if-else': [0.003, 0.02],
  iteration: [0, 0],
  end: [0.003, 0.025],
  answer: [0.005, 0.04],
};

function planUsage(model: ModelSpec, random: Random, inner: boolean): LlmUsage {
  const promptTokens = inner ? random.int(60, 500) : random.int(150, 1800);
  const completionTokens = inner ? random.int(10, 200) : random.int(20, 600);
  const promptPrice = round(promptTokens * model.inputPrice * model.priceUnit, 7);
  const completionPrice = round(completionTokens * model.outputPrice * model.priceUnit, 7);
  return {
    promptTokens,
    completionTokens,
    totalTokens: promptTokens + completionTokens,
    promptPrice,
    completionPrice,
    totalPrice: round(promptPrice + completionPrice, 7),
    latency: round(random.float(0.4, 4.5), 3),
    priceAsString: random.chance(0.5),
  };
}

function failureReason(step: StepTemplate, model: ModelSpec, random: Random, url: string): string {
  if (step.type === 'llm') return random.pick(LLM_ERRORS(model.name));
  if (step.type === 'code') return random.pick(CODE_ERRORS);
  const reason = random.pick(HTTP_ERRORS);
  return reason.endsWith('URL') ? `${reason} ${url}` : reason;
}

/**
 * Plans the node executions of one run: which nodes ran, in what order, how long, with which
 * tokens, and where a failed, stopped, partially failed or still running run ends.
 */
export function planNodes(
  template: AppTemplate,
  appIndex: number,
  status: PlanStatus,
  random: Random,
  rounds: number,
  requestUrl: string,
): NodePlan {
  const steps = template.steps;
  const failable = steps
    .map((step, position) => ({ step, position }))
    .filter(({ step }) => ['llm', 'code', 'http-request'].includes(step.type));
  const failAt = status === 'failed' ? random.pick(failable).position : -1;
  const cutAt =
    status === 'stopped' || status === 'running' || status === 'paused' ? random.int(1, steps.length - 2) : -1;
  const exceptionAt = status === 'partial-succeeded' ? steps.findIndex((step) => step.type === 'http-request') : -1;
  const nodes: PlannedNode[] = [];
  let cursor = random.int(3, 25);
  let previous: string | null = null;
  let error: string | null = null;
  let exceptionsCount = 0;

  const runStep = (
    step: StepTemplate,
    nodeId: string,
    predecessor: string | null,
    iteration: PlannedNode['iteration'],
    nodeStatus: PlannedNode['status'],
    reason: string | null,
  ) => {
    const [low, high] = ELAPSED[step.type];
    const running = nodeStatus === 'running';
    const elapsed = running ? 0 : round(random.float(low, high), 6);
    const usage =
      step.type === 'llm' && nodeStatus === 'succeeded' ? planUsage(template.model, random, iteration !== null) : null;
    const node: PlannedNode = {
      step,
      nodeId,
      predecessorNodeId: predecessor,
      status: nodeStatus,
      error: reason,
      elapsed,
      startOffsetMs: cursor,
      endOffsetMs: running ? null : cursor + Math.round(elapsed * 1000),
      usage,
      iteration,
      roundDurations: null,
      truncated: step.type === 'http-request' && nodeStatus === 'succeeded' && random.chance(0.03),
    };
    nodes.push(node);
    cursor = (node.endOffsetMs ?? cursor) + random.int(1, 20);
    return node;
  };

  for (let position = 0; position < steps.length; position += 1) {
    const step = steps[position]!;
    const nodeId = nodeKey(appIndex, position);
    // A paused run waits at this node (the simulator's stand-in for a Human Input node, shown as running).
    if (position === cutAt && (status === 'running' || status === 'paused')) {
      runStep(step, nodeId, previous, null, 'running', null);
      break;
    }
    if (position === failAt) {
      const reason = failureReason(step, template.model, random, requestUrl);
      runStep(step, nodeId, previous, null, 'failed', reason);
      error = `Node ${step.title} run failed: ${reason}`;
      break;
    }
    if (position === exceptionAt) {
      runStep(step, nodeId, previous, null, 'exception', 'HTTP request failed with status code 503');
      exceptionsCount += 1;
    } else if (step.type === 'iteration') {
      const parent = runStep(step, nodeId, previous, null, 'succeeded', null);
      cursor = parent.startOffsetMs + random.int(2, 10);
      const durations: number[] = [];
      for (let roundIndex = 0; roundIndex < rounds; roundIndex += 1) {
        const roundStart = cursor;
        let innerPrevious = `${nodeId}start`;
        (step.inner ?? []).forEach((inner, innerPosition) => {
          const innerId = nodeKey(appIndex, 100 + position * 10 + innerPosition);
          runStep(inner, innerId, innerPrevious, { parentNodeId: nodeId, round: roundIndex }, 'succeeded', null);
          innerPrevious = innerId;
        });
        durations.push(round((cursor - roundStart) / 1000, 6));
      }
      parent.endOffsetMs = cursor;
      parent.elapsed = round((cursor - parent.startOffsetMs) / 1000, 6);
      parent.roundDurations = durations;
      cursor += random.int(1, 20);
    } else {
      runStep(step, nodeId, previous, null, 'succeeded', null);
    }
    previous = nodeId;
    if (position === cutAt) break;
  }
  const last = nodes.at(-1);
  return { nodes, error, exceptionsCount, durationMs: last?.endOffsetMs ?? cursor };
}
