import type { NodeRecord, RunRecord } from '@dify-logs/core';
import { html, money, number, page, seconds, type Html } from './html.js';

const at = (iso: string | null) => (iso ? Date.parse(iso) : Number.NaN);

/** Where a node's bar sits on the run's time axis, in percent of the axis. */
function bar(node: NodeRecord, start: number, span: number): { left: number; width: number } {
  const begin = at(node.createdAt);
  const elapsed = (node.elapsedTime ?? 0) * 1000;
  const left = Number.isNaN(begin) ? 0 : Math.max(0, ((begin - start) / span) * 100);
  return { left: Math.min(left, 100), width: Math.max(0, Math.min((elapsed / span) * 100, 100 - left)) };
}

function json(value: unknown): Html {
  return html`<pre>${JSON.stringify(value, null, 2)}</pre>`;
}

function step(node: NodeRecord, start: number, span: number, rounds: NodeRecord[]): Html {
  const { left, width } = bar(node, start, span);
  const data = (['inputs', 'outputs', 'processData'] as const).filter((key) => node[key]);
  const folded = new Map<number, NodeRecord[]>();
  for (const inner of rounds) {
    const round = inner.iterationIndex ?? inner.loopIndex ?? 0;
    folded.set(round, [...(folded.get(round) ?? []), inner]);
  }
  return html`<details class="step" data-node="${node.id}">
    <summary>
      <span class="name"
        ><span class="status-${node.status}">●</span> ${node.title ?? node.nodeId}
        <span class="muted">${node.nodeType} · ${seconds(node.elapsedTime)}</span></span
      >
      <span class="lane"
        ><span
          class="bar ${node.status}"
          style="left:${left.toFixed(3)}%;width:${width.toFixed(3)}%"
          data-left="${left}"
          data-width="${width}"
        ></span
      ></span>
    </summary>
    <div class="detail">
      status ${node.status} · tokens ${number(node.totalTokens)} · cost ${money(node.totalPrice)}
      ${node.modelName ? html` · model ${node.modelName}` : ''}
      ${node.error ? html`<div class="bad">${node.error}</div>` : ''}
      ${data.map(
        (key) =>
          html`<div class="muted">${key}</div>
            ${json(node[key])}`,
      )}
    </div>
    ${
      folded.size > 0
        ? html`<div class="rounds">
            ${[...folded.entries()].map(
              ([round, nodes]) =>
                html`<details>
                  <summary class="muted">round ${round + 1} · ${nodes.length} nodes</summary>
                  <div class="waterfall">${nodes.map((inner) => step(inner, start, span, []))}</div>
                </details>`,
            )}
          </div>`
        : ''
    }
  </details>`;
}

/** The node waterfall: top-level nodes on the run's time axis, iterations' and loops' rounds folded under them. */
export function waterfall(record: RunRecord): Html {
  const nodes = record.nodes ?? [];
  if (nodes.length === 0) return html`<p class="muted">No node executions were archived for this run.</p>`;
  const start = Math.min(
    at(record.createdAt),
    ...nodes.map((node) => at(node.createdAt)).filter((t) => !Number.isNaN(t)),
  );
  const end = Math.max(
    start + (record.elapsedTime ?? 0) * 1000,
    ...nodes.map((node) => at(node.createdAt) + (node.elapsedTime ?? 0) * 1000).filter((t) => !Number.isNaN(t)),
  );
  const span = Math.max(end - start, 1);
  const inside = (node: NodeRecord) => node.iterationId ?? node.loopId;
  const top = nodes.filter((node) => !inside(node));
  const rounds = (parent: NodeRecord) => nodes.filter((node) => inside(node) === parent.nodeId);
  return html`<div class="muted">0 s — ${seconds(span / 1000)}</div>
    <div class="waterfall" id="waterfall">${top.map((node) => step(node, start, span, rounds(node)))}</div>`;
}

/** `/runs/:runId`: the run's fields, inputs and outputs, and its node waterfall. */
export function runPage(record: RunRecord): string {
  const cost = (record.nodes ?? []).reduce((sum, node) => sum + (node.totalPrice ?? 0), 0);
  const fields: Array<[string, unknown]> = [
    ['App', record.appId],
    ['Run', record.runId ?? '(lost)'],
    ['Status', record.status],
    ['Started', record.createdAt],
    ['Finished', record.finishedAt],
    ['Run time', seconds(record.elapsedTime)],
    ['Tokens', number(record.totalTokens)],
    ['Cost', money(cost)],
    ['End user', record.endUserSessionId],
    ['Triggered from', record.triggeredFrom],
    ['Version', record.workflowVersion],
  ];
  const body = html`<h1>Run ${record.runId ?? record.logId}</h1>
    <table>
      <tbody>
        ${fields.map(
          ([name, value]) =>
            html`<tr>
              <th>${name}</th>
              <td>${value ?? '–'}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${
      record.error
        ? html`<h2>Error</h2>
            <pre class="bad" id="run-error">${record.error}</pre>`
        : ''
    }
    <h2>Nodes</h2>
    ${waterfall(record)}
    <h2>Inputs</h2>
    ${json(record.inputs)}
    <h2>Outputs</h2>
    ${json(record.outputs)}`;
  return page(`Run ${record.runId ?? record.logId}`, '/runs', body);
}
