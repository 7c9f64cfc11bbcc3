#!/usr/bin/env node
import { HELP, parseCliOptions } from './cli-options.js';
import { startSimulator } from './server.js';
import type { SimulatorOptions } from './types.js';

declare const __DIFY_LOGS_VERSION__: string;
const VERSION = typeof __DIFY_LOGS_VERSION__ !== 'undefined' ? __DIFY_LOGS_VERSION__ : 'dev';

async function main(): Promise<number> {
  let options: SimulatorOptions | 'help';
  try {
    options = parseCliOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`dify-sim: ${(error as Error).message}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`dify-sim ${VERSION}\n${HELP}`);
    return 0;
  }
  const simulator = await startSimulator(options);
  const { url, version, workspaceId, account, apps } = simulator;
  process.stdout.write(`${JSON.stringify({ url, version, workspaceId, account, apps })}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await simulator.close();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`dify-sim: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
