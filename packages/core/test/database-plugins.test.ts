import { describe, expect, it } from 'vitest';
import type { DatabasePlugin } from '../src/adapter-kit.js';
import { createPluginRegistry } from '../src/adapter-kit.js';
import { databases, definePlugin, memoryRunHistory } from '../src/adapter-kit.js';

const database = (type: string, schemes: string[]): DatabasePlugin =>
  definePlugin({ kind: 'database', type, schemes, open: async (url: string) => ({ url }) });

describe('database plugins', () => {
  it('are found by the scheme of a connection string, in any case', () => {
    const postgres = database('postgres', ['postgres', 'postgresql']);
    const registry = createPluginRegistry([postgres, database('redis', ['redis', 'rediss'])]);
    expect(registry.database('postgresql')).toBe(postgres);
    expect(registry.database('POSTGRES')).toBe(postgres);
    expect(registry.database('mongodb')).toBeUndefined();
  });

  it('may not claim one scheme twice, and need schemes and open', () => {
    expect(() => createPluginRegistry([database('a', ['redis']), database('b', ['redis'])])).toThrow(
      /database plugins a and b both open redis/,
    );
    expect(() => createPluginRegistry([{ kind: 'database', type: 'x', schemes: ['x'] } as never])).toThrow(
      /a database plugin: `schemes` and `open`/,
    );
  });

  it('share a memory run history and helpers through the adapter kit', async () => {
    const history = memoryRunHistory({ maxLogLines: 2 });
    await history.save({ id: 'a', deployment: 'd', status: 'running', startedAt: '2026-01-01T00:00:00Z' } as never);
    await history.appendLogs('a', ['1', '2', '3']);
    expect((await history.get('a'))?.logs).toEqual(['2', '3']);
    expect(databases.levelBits({ details: true, nodes: false, nodeData: true })).toBe(5);
  });
});
