import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileStateStore } from '../src/entries/pipeline.js';
import type { EnrichmentLevel, RunCache } from '../src/adapter-kit.js';
import type { RunRecord } from '../src/index.js';
import { fileRunCache } from '../src/state/file-run-cache.js';
import { memoryRunCache } from '../src/state/memory-run-cache.js';

const full: EnrichmentLevel = { details: true, nodes: true, nodeData: true };
const detailsOnly: EnrichmentLevel = { details: true, nodes: false, nodeData: false };

function record(runId: string, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    logId: `log-${runId}`,
    runId,
    status: 'succeeded',
    nodes: [
      {
        id: 'n1',
        nodeId: 'start',
        title: 'Start "quoted"',
        inputs: { q: 'x' },
        outputs: { a: 1 },
        processData: null,
      } as never,
    ],
    ...extra,
  } as RunRecord;
}

function suite(name: string, make: () => Promise<RunCache>) {
  describe(name, () => {
    it('answers a run stored at the asked level or above, trimmed to the asked level', async () => {
      const cache = await make();
      await cache.put('app-1', record('r1'), full);
      expect(await cache.get('app-1', 'r1', full)).toEqual(record('r1'));
      const trimmed = await cache.get('app-1', 'r1', { details: true, nodes: true, nodeData: false });
      expect(trimmed?.nodes?.[0]).not.toHaveProperty('inputs');
      expect(trimmed?.nodes?.[0]).toMatchObject({ title: 'Start "quoted"' });
      expect((await cache.get('app-1', 'r1', detailsOnly))?.nodes).toBeNull();
      await cache.close?.();
    });

    it('misses a run stored with less than asked, another app, or never stored', async () => {
      const cache = await make();
      await cache.put('app-1', record('r2', { nodes: null }), detailsOnly);
      expect(await cache.get('app-1', 'r2', full)).toBeUndefined();
      expect(await cache.get('app-2', 'r2', detailsOnly)).toBeUndefined();
      expect(await cache.get('app-1', 'nope', detailsOnly)).toBeUndefined();
      await cache.put('app-1', record('r2'), full);
      expect(await cache.get('app-1', 'r2', full)).toEqual(record('r2'));
      await cache.close?.();
    });
  });
}

suite('memoryRunCache', async () => memoryRunCache());
suite('fileRunCache', async () => fileRunCache({ dir: await mkdtemp(join(tmpdir(), 'dify-logs-runs-')) }));

describe('fileRunCache on disk', () => {
  it('finds runs again after a reopen, and cuts off a line torn by a crash', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dify-logs-runs-'));
    const first = fileRunCache({ dir });
    await Promise.all(['a', 'b', 'c'].map((id) => first.put('app/1', record(id, { error: 'ünïcode ✓ "x"\n' }), full)));
    await first.close!();
    const file = join(dir, 'app-1.ndjson');
    await appendFile(file, '{"runId":"torn","level":{"details":true');

    const second = fileRunCache({ dir });
    expect((await second.get('app/1', 'b', full))?.error).toBe('ünïcode ✓ "x"\n');
    expect(await second.get('app/1', 'torn', full)).toBeUndefined();
    await second.put('app/1', record('d'), full);
    await second.close!();
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.filter(Boolean).map((line) => (JSON.parse(line) as { runId: string }).runId)).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  it('treats a damaged line as a miss, not an error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dify-logs-runs-'));
    await writeFile(join(dir, 'app.ndjson'), '{"runId":"bad","level":nonsense}\n');
    const cache = fileRunCache({ dir });
    expect(await cache.get('app', 'bad', detailsOnly)).toBeUndefined();
    await cache.close!();
  });

  it('is the file state store’s cache, beside the state file, unless turned off', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dify-logs-runs-'));
    const store = fileStateStore({ path: join(dir, 'state.json') });
    await store.runs!.put('app', record('r'), full);
    await store.close!();
    expect(await readFile(join(dir, 'state.runs', 'app.ndjson'), 'utf8')).toContain('"runId":"r"');
    expect(fileStateStore({ path: join(dir, 'state.json'), runsDir: false }).runs).toBeUndefined();
  });
});
