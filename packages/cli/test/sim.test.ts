import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runSim } from '../src/commands/sim.js';

describe('dify-logs sim', () => {
  it('starts the simulator with the requested personality and prints how to reach it', async () => {
    const stdout = new PassThrough();
    let printed = '';
    stdout.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
    let stop!: () => void;
    const until = new Promise<void>((resolve) => (stop = resolve));
    const running = runSim(
      { port: '0', version: '1.9.1', runs: '10', seed: '2', latency: '1' },
      { stdout, stderr: new PassThrough(), env: {}, cwd: process.cwd() },
      until,
    );
    for (let waited = 0; !printed.includes('\n') && waited < 5000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const info = JSON.parse(printed) as { url: string; version: string; apps: Array<{ apiKey: string }> };
    expect(info.version).toBe('1.9.1');
    const answer = await fetch(`${info.url}/v1/`).then(
      (response) => response.json() as Promise<{ server_version: string }>,
    );
    expect(answer.server_version).toBe('1.9.1');
    stop();
    expect(await running).toBe(0);
  });

  it('refuses an unknown personality and a share outside 0..1', async () => {
    const io = { stdout: new PassThrough(), stderr: new PassThrough(), env: {}, cwd: process.cwd() };
    await expect(runSim({ port: '0', version: '2.0.0', runs: '1', seed: '1' }, io, Promise.resolve())).rejects.toThrow(
      /--version must be one of/,
    );
    await expect(
      runSim({ port: '0', version: '1.13.3', runs: '1', seed: '1', rate429: '3' }, io, Promise.resolve()),
    ).rejects.toThrow(/--rate-429 must be a share/);
  });
});
