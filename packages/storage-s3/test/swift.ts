/**
 * A local OpenStack Swift with its S3 API (s3api middleware) for the storage-s3 tests: a real S3
 * implementation that checks signatures. Set up as /work/shared/docs/test-infra.md (section S3) describes:
 * one ring per server type, account/container/object servers on 127.0.0.1:6202/6201/6200, a proxy with
 * s3api and tempauth (`test:tester` / `testing`), memcached on 127.0.0.1:11211.
 *
 * `startSwift()` reuses a proxy that already answers on the port, installs the Debian packages when they
 * are missing (root only), starts the servers in a temporary folder and waits until an account request
 * goes through. It never throws: it resolves with `{ skipReason }` when Swift cannot be had, so the tests
 * can skip visibly. `SWIFT_S3_PORT` picks the proxy port (default 8089).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SwiftServer {
  /** `http://127.0.0.1:<port>`: pass as `endpoint`, with `forcePathStyle: true`. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** true when this call started the servers (false: an already running proxy was reused). */
  started: boolean;
  /** Where the servers' output went (empty when reused). */
  logFile: string;
  /** Stops what this call started and removes its folder; does nothing for a reused proxy. */
  stop(): Promise<void>;
}

export type SwiftStart = { server: SwiftServer; skipReason?: undefined } | { server?: undefined; skipReason: string };

const PYTHON = '/usr/bin/python3'; // Debian's Python: `python3` on PATH may be another one without Swift's modules
const PACKAGES = [
  'swift',
  'swift-proxy',
  'swift-account',
  'swift-container',
  'swift-object',
  'python3-swift',
  'memcached',
];
const PROGRAMS = [
  '/usr/bin/swift-proxy-server',
  '/usr/bin/swift-account-server',
  '/usr/bin/swift-container-server',
  '/usr/bin/swift-object-server',
  '/usr/bin/swift-ring-builder',
  '/usr/bin/memcached',
];
const SERVERS = [
  { type: 'account', port: 6202 },
  { type: 'container', port: 6201 },
  { type: 'object', port: 6200 },
] as const;
const MEMCACHED_PORT = 11211;
const CREDENTIALS = { accessKeyId: 'test:tester', secretAccessKey: 'testing' };

export async function startSwift(options: { port?: number; startTimeoutMs?: number } = {}): Promise<SwiftStart> {
  const port = options.port ?? Number(process.env.SWIFT_S3_PORT ?? 8089);
  const endpoint = `http://127.0.0.1:${port}`;
  const reused: SwiftServer = {
    endpoint,
    region: 'us-east-1',
    ...CREDENTIALS,
    started: false,
    logFile: '',
    stop: async () => {},
  };
  if (await healthy(endpoint)) return { server: reused };

  const missing = PROGRAMS.filter((program) => !existsSync(program));
  if (missing.length > 0) {
    const failed = await install(missing);
    if (failed) return { skipReason: failed };
  }

  const root = mkdtempSync(join(tmpdir(), 'dify-logs-swift-'));
  const logFile = join(root, 'swift.log');
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.reverse().map(terminate));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const problem = await configure(root, port);
    if (problem) {
      await stop();
      return { skipReason: problem };
    }
    const log = openSync(logFile, 'a');
    const launch = (command: string, args: string[]) => {
      const child = spawn(command, args, { cwd: root, detached: true, stdio: ['ignore', log, log] });
      child.on('error', () => {});
      child.unref();
      children.push(child);
      return child;
    };
    if (!(await listening(MEMCACHED_PORT)))
      launch('/usr/bin/memcached', ['-u', 'root', '-l', '127.0.0.1', '-p', String(MEMCACHED_PORT), '-U', '0']);
    for (const { type, port: serverPort } of SERVERS) {
      if (await listening(serverPort))
        throw new Error(`port ${serverPort} (the ${type} server's) is taken by another process`);
      launch(PYTHON, [`/usr/bin/swift-${type}-server`, join(root, `${type}-server.conf`)]);
    }
    launch(PYTHON, ['/usr/bin/swift-proxy-server', join(root, 'proxy-server.conf')]);
    closeSync(log);
    const ready = await waitUntilReady(endpoint, options.startTimeoutMs ?? 60_000, children);
    if (!ready) {
      const tail = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).slice(-5).join('\n');
      await stop();
      return { skipReason: `Swift did not become ready on ${endpoint}; last output:\n${tail}` };
    }
    return { server: { ...reused, started: true, logFile, stop } };
  } catch (error) {
    await stop();
    return { skipReason: `Swift could not be started: ${(error as Error).message}` };
  }
}

async function install(missing: string[]): Promise<string | undefined> {
  if (process.getuid?.() !== 0)
    return `Swift is not installed (${missing.join(', ')} missing) and installing it needs root`;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const options = { env, maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000 };
  try {
    await run('apt-get', ['update'], options);
    await run('apt-get', ['install', '-y', '--no-install-recommends', ...PACKAGES], options);
  } catch (error) {
    const output = `${(error as { stderr?: string }).stderr ?? ''}`.trim().split('\n').slice(-5).join('\n');
    return (
      `installing Swift with apt-get failed: ` +
      `${(error as Error).message.split('\n')[0]}${output ? `\n${output}` : ''}`
    );
  }
  const still = PROGRAMS.filter((program) => !existsSync(program));
  return still.length > 0 ? `apt-get installed Swift but ${still.join(', ')} is still missing` : undefined;
}

/** Writes the server configs and builds the rings; returns a problem or undefined. */
async function configure(root: string, port: number): Promise<string | undefined> {
  const devices = join(root, 'devices');
  mkdirSync(join(devices, 'd1'), { recursive: true });
  const common = (bind: number, extra = '') =>
    `[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = ${bind}\nworkers = 1\n` +
    `user = root\nswift_dir = ${root}\nlog_name = swift\n${extra}`;
  // Every server reads swift.conf from its swift_dir (Swift's set_swift_dir), so /etc/swift is left alone.
  writeFileSync(
    join(root, 'swift.conf'),
    '[swift-hash]\nswift_hash_path_prefix = dify-logs\n' +
      'swift_hash_path_suffix = dify-logs-tests\n\n[storage-policy:0]\nname = gold\ndefault = yes\n',
  );
  for (const { type, port: serverPort } of SERVERS) {
    writeFileSync(
      join(root, `${type}-server.conf`),
      `${common(serverPort, `devices = ${devices}\nmount_check = false\n`)}\n[pipeline:main]\n` +
        `pipeline = ${type}-server\n\n[app:${type}-server]\nuse = egg:swift#${type}\n`,
    );
  }
  writeFileSync(
    join(root, 'proxy-server.conf'),
    `${common(port)}
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk s3api tempauth copy slo dlo \
proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:${MEMCACHED_PORT}
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:s3api]
use = egg:swift#s3api
location = us-east-1
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
`,
  );
  try {
    for (const { type, port: serverPort } of SERVERS) {
      const builder = join(root, `${type}.builder`);
      await run(PYTHON, ['/usr/bin/swift-ring-builder', builder, 'create', '8', '1', '1'], { cwd: root });
      await run(PYTHON, ['/usr/bin/swift-ring-builder', builder, 'add', `r1z1-127.0.0.1:${serverPort}/d1`, '100'], {
        cwd: root,
      });
      // Exit status 1 is a warning (e.g. about balance), not a failure.
      await run(PYTHON, ['/usr/bin/swift-ring-builder', builder, 'rebalance'], { cwd: root }).catch(
        (error: { code?: number }) => {
          if (error.code !== 1) throw error;
        },
      );
    }
  } catch (error) {
    return `building Swift's rings failed: ${(error as Error).message.split('\n')[0]}`;
  }
  return undefined;
}

async function waitUntilReady(endpoint: string, timeoutMs: number, children: ChildProcess[]): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (children.some((child) => child.exitCode !== null)) return false;
    if ((await healthy(endpoint)) && (await accountWorks(endpoint))) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/healthcheck`, { signal: AbortSignal.timeout(2000) });
    return response.ok && (await response.text()).trim() === 'OK';
  } catch {
    return false;
  }
}

/** The whole path works: tempauth hands out a token and the account server answers through the proxy. */
async function accountWorks(endpoint: string): Promise<boolean> {
  try {
    const auth = await fetch(`${endpoint}/auth/v1.0`, {
      headers: { 'x-auth-user': CREDENTIALS.accessKeyId, 'x-auth-key': CREDENTIALS.secretAccessKey },
      signal: AbortSignal.timeout(2000),
    });
    const token = auth.headers.get('x-auth-token');
    const storage = auth.headers.get('x-storage-url');
    if (!auth.ok || !token || !storage) return false;
    const account = await fetch(storage, {
      method: 'HEAD',
      headers: { 'x-auth-token': token },
      signal: AbortSignal.timeout(2000),
    });
    return account.status >= 200 && account.status < 300;
  } catch {
    return false;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** SIGTERM to the child's process group (Swift forks workers), SIGKILL after 5 s. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
