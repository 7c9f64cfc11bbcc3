import { PERSONALITY_NAMES, startSimulator, type DifyPersonality, type FaultOptions } from '@dify-logs/dify-sim';
import type { Command } from 'commander';
import { positiveInteger } from '../support/connection.js';
import { UsageError } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';

interface SimFlags {
  port: string;
  version: string;
  runs: string;
  seed: string;
  latency?: string;
  jitter?: string;
  rate429?: string;
  rate5xx?: string;
  rateReset?: string;
  rateMalformed?: string;
  rate502?: string;
  rateSlowBody?: string;
  adminKey?: string;
  hostCookies?: boolean;
}

const PERSONALITIES: readonly string[] = PERSONALITY_NAMES;

export function registerSim(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('sim')
    .description('run the Dify simulator until interrupted')
    .option('--port <port>', 'port on 127.0.0.1 (0: any free port)', '5001')
    .option('--version <release>', `Dify personality: ${PERSONALITIES.join(', ')}`, '1.13.3')
    .option('--runs <n>', 'runs per workflow app', '500')
    .option('--seed <n>', 'data seed', '1')
    .option('--latency <ms>', 'added latency per request')
    .option('--jitter <ms>', 'random extra latency up to this')
    .option('--rate-429 <p>', 'share of requests answered 429 with Retry-After')
    .option('--rate-5xx <p>', 'share answered 500')
    .option('--rate-reset <p>', 'share whose connection is reset')
    .option('--rate-malformed <p>', 'share answered with broken JSON')
    .option('--rate-502 <p>', 'share answered with an HTML 502 page')
    .option('--rate-slow-body <p>', 'share whose body trickles slowly')
    .option('--admin-key <key>', 'enable admin-key access with this key')
    .option('--host-cookies', 'use __Host- cookie names')
    .action(async (flags: SimFlags) => setExit(await runSim(flags, io)));
}

export async function runSim(flags: SimFlags, io: CliIo, until: Promise<unknown> = interrupted()): Promise<number> {
  if (!PERSONALITIES.includes(flags.version))
    throw new UsageError(`--version must be one of ${PERSONALITIES.join(', ')}, got ${flags.version}`);
  const simulator = await startSimulator({
    port: positiveInteger('--port', flags.port, 0, 65_535),
    version: flags.version as DifyPersonality,
    runsPerApp: positiveInteger('--runs', flags.runs, 0),
    seed: positiveInteger('--seed', flags.seed, 0),
    ...(flags.adminKey ? { adminApiKey: flags.adminKey } : {}),
    hostPrefixCookies: flags.hostCookies ?? false,
    faults: faultsFrom(flags),
  });
  const { url, version, workspaceId, account, apps } = simulator;
  io.stdout.write(`${JSON.stringify({ url, version, workspaceId, account, apps })}\n`);
  await until;
  await simulator.close();
  return 0;
}

function faultsFrom(flags: SimFlags): FaultOptions {
  const rate = (flag: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const number = Number(value);
    if (!(number >= 0 && number <= 1))
      throw new UsageError(`${flag} must be a share from 0 to 1, got ${JSON.stringify(value)}`);
    return number;
  };
  return {
    latencyMs: flags.latency === undefined ? 0 : positiveInteger('--latency', flags.latency, 0),
    jitterMs: flags.jitter === undefined ? 0 : positiveInteger('--jitter', flags.jitter, 0),
    rate429: rate('--rate-429', flags.rate429),
    rate5xx: rate('--rate-5xx', flags.rate5xx),
    rateReset: rate('--rate-reset', flags.rateReset),
    rateMalformed: rate('--rate-malformed', flags.rateMalformed),
    rate502Html: rate('--rate-502', flags.rate502),
    rateSlowBody: rate('--rate-slow-body', flags.rateSlowBody),
  };
}

function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
