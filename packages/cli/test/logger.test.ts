import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createCliLogger } from '../src/support/logger.js';

function capture(isTTY: boolean) {
  const stderr = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { io: { stdout: new PassThrough(), stderr, env: {}, cwd: process.cwd() }, text: () => text };
}

describe('CLI logger', () => {
  it('writes JSON lines with ISO times when stderr is not a terminal, redacting secret fields', () => {
    const { io, text } = capture(false);
    createCliLogger(io, 'info').child({ job: 'nightly' }).info({ password: 'p4ss', appId: 'a1' }, 'hello');
    const line = JSON.parse(text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, job: 'nightly', appId: 'a1', msg: 'hello', password: '[redacted]' });
    expect(typeof line.time).toBe('string');
  });

  it('writes readable lines on a terminal', () => {
    const { io, text } = capture(true);
    createCliLogger(io, 'info').warn({ appId: 'a1' }, 'slow app');
    expect(text()).toMatch(/WARN.*slow app/);
    expect(() => JSON.parse(text().trim())).toThrow();
  });
});
