import { parseArgs } from 'node:util';
import { workerConnectionsCapacity } from './capacity.js';
import { isPersonality, PERSONALITY_NAMES } from './personalities.js';
import type { FaultOptions, SimulatorOptions } from './types.js';

/** The `dify-sim` command line: flags to SimulatorOptions. */
export const HELP = `dify-sim: a Dify API simulator for workflow run logs

Usage: dify-sim [options]

  --port <n>              port on 127.0.0.1 (default 5001; 0 = any free port)
  --version <release>     Dify personality: ${PERSONALITY_NAMES.join(', ')} (default 1.13.3)
  --runs <n>              runs per app (default 200)
  --seed <n>              data seed (default 1)
  --days <n>              spread runs over this many days (default 7)
  --now <iso>             anchor time (default: now)
  --running-runs <n>      newest runs still running (default 2)
  --lost-run-rate <p>     share of log rows whose run is gone (default 0.01)
  --email <email>         console account (default ops@example.com)
  --password <password>   console password (default dify-sim-password)
  --admin-key <key>       enable admin-key console access with this key
  --host-cookies          use __Host- cookie names
  --second-workspace      the account also joins a workspace "Staging" with two apps of its own
  --token-ttl <seconds>   access token lifetime (default 3600)
  --token-uses <n>        an access token also expires after n console requests (default: no limit)
  --latency <ms>          added latency per request
  --jitter <ms>           plus up to this much random latency
  --rate-429 <p>          share of requests answered 429 (with Retry-After)
  --retry-after <s>       Retry-After seconds on 429 (default 1)
  --rate-5xx <p>          share answered 500
  --rate-reset <p>        share whose connection is reset
  --rate-slow-body <p>    share whose body trickles slowly
  --slow-body-ms <ms>     how long a slow body takes (default 2000)
  --rate-malformed <p>    share answered 200 with broken JSON
  --rate-502 <p>          share answered with an nginx 502 HTML page
  --fault-paths <regex>   only fault requests whose path matches
  --worker-connections <n>  serve at most n requests at once, queue the rest, as Dify's API server
                          (SERVER_WORKER_CONNECTIONS; Dify's default is 10)
  --service-ms <ms>       with --worker-connections: how long each request is served (default 50)
  -h, --help              show this help

Prints one JSON line (url, version, workspaceId, account, apps with API keys), then serves until SIGINT/SIGTERM.
`;

const OPTIONS = {
  port: { type: 'string' },
  version: { type: 'string' },
  runs: { type: 'string' },
  seed: { type: 'string' },
  days: { type: 'string' },
  now: { type: 'string' },
  'running-runs': { type: 'string' },
  'lost-run-rate': { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  'admin-key': { type: 'string' },
  'host-cookies': { type: 'boolean' },
  'second-workspace': { type: 'boolean' },
  'token-ttl': { type: 'string' },
  'token-uses': { type: 'string' },
  latency: { type: 'string' },
  jitter: { type: 'string' },
  'rate-429': { type: 'string' },
  'retry-after': { type: 'string' },
  'rate-5xx': { type: 'string' },
  'rate-reset': { type: 'string' },
  'rate-slow-body': { type: 'string' },
  'slow-body-ms': { type: 'string' },
  'rate-malformed': { type: 'string' },
  'rate-502': { type: 'string' },
  'fault-paths': { type: 'string' },
  'worker-connections': { type: 'string' },
  'service-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export class UsageError extends Error {}

function number(
  flag: string,
  value: string | undefined,
  minimum: number,
  maximum = Number.POSITIVE_INFINITY,
): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < minimum || parsed > maximum) {
    throw new UsageError(
      `--${flag} must be a number from ${minimum}` +
        `${Number.isFinite(maximum) ? ` to ${maximum}` : ' up'}, got ${JSON.stringify(value)}`,
    );
  }
  return parsed;
}

function positiveDays(value: string | undefined): number | undefined {
  const days = number('days', value, 0);
  if (days === 0) throw new UsageError('--days must be above 0');
  return days;
}

export function parseCliOptions(argv: string[]): SimulatorOptions | 'help' {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
  if (values.help) return 'help';
  const version = values.version ?? '1.13.3';
  if (!isPersonality(version))
    throw new UsageError(`--version must be one of ${PERSONALITY_NAMES.join(', ')}, got ${version}`);
  const rate = (flag: keyof typeof OPTIONS) => number(flag, values[flag] as string | undefined, 0, 1);
  const faults: FaultOptions = {
    latencyMs: number('latency', values.latency, 0),
    jitterMs: number('jitter', values.jitter, 0),
    rate429: rate('rate-429'),
    retryAfterSeconds: number('retry-after', values['retry-after'], 0),
    rate5xx: rate('rate-5xx'),
    rateReset: rate('rate-reset'),
    rateSlowBody: rate('rate-slow-body'),
    slowBodyMs: number('slow-body-ms', values['slow-body-ms'], 0),
    rateMalformed: rate('rate-malformed'),
    rate502Html: rate('rate-502'),
    paths: values['fault-paths'],
  };
  if (values.now !== undefined && Number.isNaN(new Date(values.now).getTime()))
    throw new UsageError(`--now is not a date: ${values.now}`);
  if ((values.email === undefined) !== (values.password === undefined))
    throw new UsageError('--email and --password go together');
  const workerConnections = number('worker-connections', values['worker-connections'], 1);
  if (workerConnections !== undefined && !Number.isInteger(workerConnections))
    throw new UsageError(`--worker-connections must be a whole number, got ${values['worker-connections']}`);
  const serviceMs = number('service-ms', values['service-ms'], 0);
  if (serviceMs !== undefined && workerConnections === undefined)
    throw new UsageError('--service-ms needs --worker-connections');
  return {
    version,
    port: number('port', values.port, 0, 65_535) ?? 5001,
    runsPerApp: number('runs', values.runs, 0),
    seed: number('seed', values.seed, 0),
    days: positiveDays(values.days),
    now: values.now,
    runningRuns: number('running-runs', values['running-runs'], 0),
    lostRunRate: rate('lost-run-rate'),
    hostPrefixCookies: values['host-cookies'] ?? false,
    ...(values['second-workspace'] ? { secondWorkspace: true } : {}),
    adminApiKey: values['admin-key'],
    accessTokenTtlSeconds: number('token-ttl', values['token-ttl'], 1),
    accessTokenTtlRequests: number('token-uses', values['token-uses'], 1),
    ...(values.email !== undefined && values.password !== undefined
      ? { account: { email: values.email, password: values.password } }
      : {}),
    faults,
    ...(workerConnections === undefined
      ? {}
      : { workerConnections, capacity: workerConnectionsCapacity(workerConnections, serviceMs) }),
  };
}
