import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, sim, tempDir, writeWorkspaceConfig } from './helpers.js';

describe('dify-logs dataset export', () => {
  it(
    'builds train and eval sets from the archived messages, ' + 'with Dify gone, in the shapes asked, privacy applied',
    async () => {
      const simulator = await sim({
        version: '1.11.2',
        runsPerApp: 40,
        runningRuns: 0,
        days: 2,
        chatApps: true,
        now: new Date(Date.now() - 60_000).toISOString(),
        plantedText: 'call me on 13912345678',
      });
      const dir = await tempDir();
      await writeWorkspaceConfig(dir, simulator, { job: ['    outputFormat: [json]'] });
      const run = await cli(['run', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} });
      expect(run.code, run.stderr + run.stdout).toBe(0);
      const archived = Number(/messages (\d+) messages in/.exec(run.stdout)?.[1]);
      expect(archived).toBeGreaterThan(40);
      await simulator.close();

      const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
      const range = ['--from', day(-3), '--to', day(1), '--config', 'dify-logs.yaml'];
      const split = await cli(
        [
          'dataset',
          'export',
          ...range,
          '--format',
          'openai-chat',
          '--split',
          '0.8',
          '--seed',
          '1',
          '--out',
          'ft.jsonl',
        ],
        { cwd: dir, env: {} },
      );
      expect(split.code, split.stderr).toBe(0);
      expect(split.stdout.trim().split('\n')).toEqual([join(dir, 'ft.train.jsonl'), join(dir, 'ft.eval.jsonl')]);
      const counts = /(\d+) item\(s\): train (\d+), eval (\d+) from (\d+) message\(s\) in (\d+) conversation/.exec(
        split.stderr,
      )!;
      expect(Number(counts[4])).toBe(archived);
      const train = (await readFile(join(dir, 'ft.train.jsonl'), 'utf8')).split('\n').filter(Boolean);
      const evaluation = (await readFile(join(dir, 'ft.eval.jsonl'), 'utf8')).split('\n').filter(Boolean);
      expect([train.length, evaluation.length]).toEqual([Number(counts[2]), Number(counts[3])]);
      expect(train.length).toBeGreaterThan(evaluation.length);
      for (const line of [...train, ...evaluation]) {
        const { messages } = JSON.parse(line) as { messages: Array<{ role: string; content: string }> };
        expect(messages[0]!.role).toBe('user');
        expect(messages.every((turn) => typeof turn.content === 'string')).toBe(true);
        expect(line).not.toContain('13912345678');
      }
      expect([...train, ...evaluation].some((line) => line.includes('139****5678'))).toBe(true);

      // The same command again gives the same files, byte for byte.
      const again = await cli(
        [
          'dataset',
          'export',
          ...range,
          '--format',
          'openai-chat',
          '--split',
          '0.8',
          '--seed',
          '1',
          '--out',
          'ft2.jsonl',
        ],
        { cwd: dir, env: {} },
      );
      expect(again.code).toBe(0);
      expect(await readFile(join(dir, 'ft2.train.jsonl'), 'utf8')).toBe(
        await readFile(join(dir, 'ft.train.jsonl'), 'utf8'),
      );

      const liked = await cli(
        ['dataset', 'export', ...range, '--format', 'sharegpt', '--feedback', 'like', '--out', 'liked.jsonl'],
        { cwd: dir, env: {} },
      );
      expect(liked.code, liked.stderr).toBe(0);
      const conversations = (await readFile(join(dir, 'liked.jsonl'), 'utf8')).split('\n').filter(Boolean);
      expect(conversations.length).toBeGreaterThan(0);
      expect(conversations.length).toBeLessThan(train.length + evaluation.length);
    },
  );

  it('names the flag of a bad value', async () => {
    const dir = await tempDir();
    const base = ['dataset', 'export', '--from', '2026-03-01', '--to', '2026-03-02', '--out', 'x.jsonl'];
    const format = await cli([...base, '--format', 'alpaca'], { cwd: dir, env: {} });
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format: expected jsonl, openai-chat, sharegpt, csv, got "alpaca"');
    const split = await cli([...base, '--format', 'jsonl', '--split', '90%'], { cwd: dir, env: {} });
    expect(split.stderr).toContain('--split: expected a share between 0 and 1, e.g. 0.9, got "90%"');
  });
});
