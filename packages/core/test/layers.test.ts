// Core's modules form layers: the pipeline and the runtime sit on top; time, errors, records, the client,
// analysis, config and the adapter contracts never import them. And no two modules import each other, directly or
// through others.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src', import.meta.url));
const files = (readdirSync(src, { recursive: true }) as string[])
  .filter((file) => file.endsWith('.ts'))
  .map((file) => join(src, file));
/** Relative imports of a module (type-only ones included: they are design edges too). */
const imports = new Map(
  files.map((file) => {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:import|export)[^'";]*?from\s+'(\.[^']+)'/g)].map((match) =>
      resolve(dirname(file), match[1]!.replace(/\.js$/, '.ts')),
    );
    return [file, targets.filter((target) => files.includes(target))];
  }),
);
const layer = (file: string) => relative(src, file).split('/')[0]!;
const TOP = new Set(['pipeline', 'runtime', 'index.ts', 'entries', 'adapter-kit.ts', 'internal.ts', 'testing']);

describe('core layers', () => {
  it('reads the import graph', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(imports.get(join(src, 'pipeline/fetch-stage.ts'))).toContain(join(src, 'pipeline/chat-fetch.ts'));
  });

  it('nothing below the pipeline, the runtime and the plugins imports them', () => {
    const backEdges = [...imports].flatMap(([file, targets]) =>
      TOP.has(layer(file))
        ? []
        : targets
            .filter((target) => TOP.has(layer(target)))
            .map((target) => `${relative(src, file)} → ${relative(src, target)}`),
    );
    expect(backEdges).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((entry) => relative(src, entry)).join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const target of imports.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
