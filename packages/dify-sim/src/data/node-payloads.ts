import type { LlmUsage, PlannedNode } from './nodes.js';
import type { RunDetail } from './runs.js';

export interface NodePayload {
  inputs: Record<string, unknown> | null;
  processData: Record<string, unknown> | null;
  outputs: Record<string, unknown> | null;
  executionMetadata: Record<string, unknown>;
}

function usageJson(run: RunDetail, usage: LlmUsage): Record<string, unknown> {
  const model = run.app.template.model;
  return {
    prompt_tokens: usage.promptTokens,
    prompt_unit_price: String(model.inputPrice),
    prompt_price_unit: String(model.priceUnit),
    prompt_price: usage.promptPrice.toFixed(7),
    completion_tokens: usage.completionTokens,
    completion_unit_price: String(model.outputPrice),
    completion_price_unit: String(model.priceUnit),
    completion_price: usage.completionPrice.toFixed(7),
    total_tokens: usage.totalTokens,
    total_price: usage.totalPrice.toFixed(7),
    currency: model.currency,
    latency: usage.latency,
  };
}

function llmPayload(run: RunDetail, node: PlannedNode, metadata: Record<string, unknown>): NodePayload {
  const model = run.app.template.model;
  const round = node.iteration?.round;
  const prompt = round === undefined ? run.content.prompt : (run.content.items[round] ?? '');
  const answer = round === undefined ? run.content.answer : (run.content.itemAnswers[round] ?? '');
  const usage = node.usage ? usageJson(run, node.usage) : null;
  const processData =
    node.status === 'running'
      ? null
      : {
          model_mode: 'chat',
          prompts: [
            { role: 'system', text: `You are a careful assistant for ${run.app.template.name}.`, files: [] },
            { role: 'user', text: prompt, files: [] },
          ],
          ...(usage ? { usage } : {}),
          finish_reason: usage ? 'stop' : null,
          model_provider: model.provider,
          model_name: model.name,
        };
  if (node.usage) {
    const price = node.usage.totalPrice;
    Object.assign(metadata, {
      total_tokens: node.usage.totalTokens,
      total_price: node.usage.priceAsString ? price.toFixed(7) : price,
      currency: model.currency,
    });
  }
  return {
    inputs: { '#context#': null },
    processData,
    outputs: node.status === 'succeeded' ? { text: answer, reasoning_content: '', usage, finish_reason: 'stop' } : null,
    executionMetadata: metadata,
  };
}

function httpPayload(run: RunDetail, node: PlannedNode, metadata: Record<string, unknown>): NodePayload {
  const request = run.content.request;
  const url = new URL(request.url);
  const processData = {
    request:
      `${request.method} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n` +
      `Content-Type: application/json\r\n\r\n${request.body}`,
  };
  let outputs: Record<string, unknown> | null = null;
  if (node.status === 'succeeded') {
    const body = node.truncated ? `${request.responseBody.slice(0, 12)}...` : request.responseBody;
    outputs = { status_code: 200, body, headers: { 'content-type': 'application/json' }, files: [] };
  } else if (node.status === 'exception') {
    metadata.error_strategy = 'default-value';
    outputs = {
      status_code: 503,
      body: '',
      headers: {},
      files: [],
      error_message: node.error,
      error_type: 'HTTPResponseCodeError',
    };
  }
  return {
    inputs: {},
    processData: node.status === 'running' ? null : processData,
    outputs,
    executionMetadata: metadata,
  };
}

/** The inputs, process_data, outputs and execution_metadata Dify records for one node execution. */
export function nodePayload(run: RunDetail, node: PlannedNode): NodePayload {
  const metadata: Record<string, unknown> = node.iteration
    ? { iteration_id: node.iteration.parentNodeId, iteration_index: node.iteration.round }
    : {};
  const done = node.status === 'succeeded';
  const round = node.iteration?.round;
  const itemAnswer = round === undefined ? run.content.answer : (run.content.itemAnswers[round] ?? '');
  switch (node.step.type) {
    case 'llm':
      return llmPayload(run, node, metadata);
    case 'http-request':
      return httpPayload(run, node, metadata);
    case 'start':
      return { inputs: run.inputs, processData: null, outputs: done ? run.inputs : null, executionMetadata: metadata };
    case 'code':
      return {
        inputs: { arg1: itemAnswer },
        processData: null,
        outputs: done ? { result: itemAnswer.trim().slice(0, 200) } : null,
        executionMetadata: metadata,
      };
    case 'if-else': {
      const result = run.ref.index % 3 === 0;
      return {
        inputs: {},
        processData: { condition_results: [{ group: 'true', results: [result], final_result: result }] },
        outputs: done ? { result, selected_case_id: result ? 'true' : 'false' } : null,
        executionMetadata: metadata,
      };
    }
    case 'iteration': {
      const durations = node.roundDurations ?? [];
      const innerTokens = run.plan.nodes
        .filter((inner) => inner.iteration?.parentNodeId === node.nodeId)
        .reduce((sum, inner) => sum + (inner.usage?.totalTokens ?? 0), 0);
      if (done)
        Object.assign(metadata, {
          iteration_duration_map: Object.fromEntries(durations.map((seconds, index) => [String(index), seconds])),
          total_tokens: innerTokens,
        });
      return {
        inputs: { iterator_selector: run.content.items },
        processData: null,
        outputs: done ? { output: run.content.itemAnswers } : null,
        executionMetadata: metadata,
      };
    }
    case 'end':
      return {
        inputs: run.outputs ?? {},
        processData: null,
        outputs: done ? (run.outputs ?? {}) : null,
        executionMetadata: metadata,
      };
    case 'answer':
      return {
        inputs: {},
        processData: null,
        outputs: done ? { answer: run.content.answer, files: [] } : null,
        executionMetadata: metadata,
      };
  }
}
