import { nodeKey, type AppTemplate } from './catalog.js';

/** The workflow DSL graph the console's run detail returns (abridged but shaped like Dify's). */
export function workflowGraph(appIndex: number, template: AppTemplate): Record<string, unknown> {
  const nodes: Array<Record<string, unknown>> = [];
  const edges: Array<Record<string, unknown>> = [];
  const node = (id: string, data: Record<string, unknown>, x: number, y: number, parentId?: string) =>
    nodes.push({
      id,
      type: 'custom',
      data: { selected: false, desc: '', ...data },
      position: { x, y },
      positionAbsolute: { x, y },
      width: 244,
      height: 90,
      ...(parentId ? { parentId, zIndex: 1002 } : {}),
    });
  const edge = (source: string, target: string, sourceType: string, targetType: string, iterationId?: string) =>
    edges.push({
      id: `${source}-source-${target}-target`,
      source,
      sourceHandle: 'source',
      target,
      targetHandle: 'target',
      type: 'custom',
      data: {
        sourceType,
        targetType,
        isInIteration: iterationId !== undefined,
        ...(iterationId ? { iteration_id: iterationId } : {}),
      },
      zIndex: iterationId ? 1002 : 0,
    });
  let previous: { id: string; type: string } | undefined;
  template.steps.forEach((step, position) => {
    const id = nodeKey(appIndex, position);
    node(
      id,
      {
        type: step.type,
        title: step.title,
        ...(step.type === 'llm'
          ? { model: { provider: template.model.provider, name: template.model.name, mode: 'chat' } }
          : {}),
      },
      80 + position * 300,
      280,
    );
    if (previous) edge(previous.id, id, previous.type, step.type);
    previous = { id, type: step.type };
    if (step.type === 'iteration') {
      const startId = `${id}start`;
      node(startId, { type: 'iteration-start', title: '', isInIteration: true }, 24, 68, id);
      let inner = { id: startId, type: 'iteration-start' };
      (step.inner ?? []).forEach((innerStep, innerPosition) => {
        const innerId = nodeKey(appIndex, 100 + position * 10 + innerPosition);
        node(
          innerId,
          { type: innerStep.type, title: innerStep.title, isInIteration: true, iteration_id: id },
          128 + innerPosition * 300,
          68,
          id,
        );
        edge(inner.id, innerId, inner.type, innerStep.type, id);
        inner = { id: innerId, type: innerStep.type };
      });
    }
  });
  return { nodes, edges, viewport: { x: 0, y: 0, zoom: 1 } };
}
