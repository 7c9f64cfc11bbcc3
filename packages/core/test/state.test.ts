import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileStateStore, memoryStateStore } from '../src/entries/pipeline.js';

describe.each([
  ['memory', () => memoryStateStore()],
  ['file', () => fileStateStore({ path: join(mkdtempSync(join(tmpdir(), 'state-')), 'state.json') })],
])('%s state store', (_name, create) => {
  it('reads an empty state first, then what was committed, per job and app', async () => {
    const store = create();
    expect(await store.read('nightly', 'app-1')).toEqual({ watermark: null, recent: {}, pending: {} });
    await store.commit('nightly', 'app-1', {
      watermark: '2026-03-10T12:00:00.000Z',
      recent: { 'log-1': '2026-03-10T11:59:00.000Z' },
      pending: {},
    });
    await store.commit('nightly', 'app-2', { watermark: '2026-03-09T12:00:00.000Z', recent: {}, pending: {} });
    expect((await store.read('nightly', 'app-1')).recent).toEqual({ 'log-1': '2026-03-10T11:59:00.000Z' });
    expect((await store.read('nightly', 'app-2')).watermark).toBe('2026-03-09T12:00:00.000Z');
    expect((await store.read('weekly', 'app-1')).watermark).toBeNull();
  });
});

describe('file state store', () => {
  it('survives a new instance, serialises concurrent commits, and leaves no temporary files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'state-'));
    const path = join(dir, 'state.json');
    const store = fileStateStore({ path });
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        store.commit('job', `app-${index}`, {
          watermark: `2026-03-${String(index + 1).padStart(2, '0')}T00:00:00.000Z`,
          recent: {},
          pending: {},
        }),
      ),
    );
    const again = fileStateStore({ path });
    for (let index = 0; index < 20; index += 1)
      expect((await again.read('job', `app-${index}`)).watermark).toContain(
        `2026-03-${String(index + 1).padStart(2, '0')}`,
      );
    expect(readdirSync(dir)).toEqual(['state.json']);
    expect(JSON.parse(readFileSync(path, 'utf8')).version).toBe(1);
  });

  it('refuses a file that is not a state file, naming state.path', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'state-')), 'state.json');
    writeFileSync(path, '{"hello": "world"}');
    await expect(fileStateStore({ path }).read('job', 'app')).rejects.toThrow(
      /state\.path: .* is not a dify-logs state file/,
    );
  });
});
