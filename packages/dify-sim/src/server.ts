import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createRunStore } from './data/store.js';
import { createWorld } from './data/world.js';
import { difyError, methodNotAllowed, notFound } from './errors.js';
import { createCapacity, isCapacityExempt, workerConnectionsCapacity } from './capacity.js';
import { createFaultInjector, writeSlowly } from './faults.js';
import { parseCookies, type SimRequest, type SimResponse } from './http.js';
import { authRoutes } from './routes/auth.js';
import { consoleChatRoutes } from './routes/console-chat.js';
import { consoleCompletionRoutes } from './routes/console-completion.js';
import { consoleRunRoutes } from './routes/console-runs.js';
import { consoleRoutes } from './routes/console.js';
import { currentWorkspaceOf, type Route, type RouteContext } from './routes/context.js';
import { serviceRoutes } from './routes/service.js';
import { createSessionStore } from './sessions.js';
import type { DifySimulator, SimulatorControls, SimulatorOptions, SimulatorStats } from './types.js';

const MAX_BODY_BYTES = 1_000_000;

export interface SimulatorHandler extends SimulatorControls {
  /** A `node:http` request listener serving the simulated Dify. */
  listener: (request: IncomingMessage, response: ServerResponse) => void;
  /** Stops pending slow bodies and delayed answers. */
  dispose(): void;
}

function emptyStats(): SimulatorStats {
  return {
    requests: 0,
    byRoute: {},
    logins: 0,
    refreshes: 0,
    failedLogins: 0,
    faultsInjected: 0,
    capacityRejected: 0,
    peakInFlight: 0,
    queuedMs: 0,
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function match(
  routes: Route[],
  method: string,
  path: string,
): { route?: Route; params: string[]; pathMatched: boolean } {
  let pathMatched = false;
  for (const route of routes) {
    const found = route.pattern.exec(path);
    if (!found) continue;
    pathMatched = true;
    if (route.method === method) return { route, params: found.slice(1), pathMatched };
  }
  return { params: [], pathMatched };
}

/** The simulator without a server: a request listener plus the controls. */
export function createSimulatorHandler(options: SimulatorOptions = {}): SimulatorHandler {
  const world = createWorld(options);
  const store = createRunStore(world);
  const startedAt = Date.now();
  let stats = emptyStats();
  const context: RouteContext = {
    world,
    store,
    sessions: createSessionStore({
      accessTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
      accessTtlRequests: options.accessTokenTtlRequests,
    }),
    personality: world.personality,
    cookiePrefix: options.hostPrefixCookies ? '__Host-' : '',
    adminApiKey: options.adminApiKey,
    revokedKeys: new Set(),
    stats,
    tieOrder: options.tieOrder ?? 'shuffled',
    logRequests: 0,
    currentWorkspaces: new Map(),
    readConversations: new Map(),
  };
  const routes = [
    ...serviceRoutes(),
    ...authRoutes(context),
    ...consoleRoutes(),
    ...consoleRunRoutes(),
    ...consoleChatRoutes(),
    ...consoleCompletionRoutes(),
  ];
  const faults = createFaultInjector(world.seed, options.faults);
  const capacity = createCapacity(options.capacity ?? workerConnectionsCapacity(options.workerConnections));
  const timers = new Set<NodeJS.Timeout>();

  const send = (response: ServerResponse, answer: SimResponse) => {
    if (response.destroyed) return;
    response.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
    response.end(answer.body);
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  /** Serves a request within the capacity limit (a slot held for `serviceMs`), or refuses it with 429. */
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0]!;
    if (isCapacityExempt(path)) return handleNow(request, response);
    const asked = performance.now();
    const admission = await capacity.admit();
    stats.queuedMs += performance.now() - asked;
    stats.peakInFlight = capacity.counts().peakInFlight;
    if (!admission) {
      stats.requests += 1;
      stats.capacityRejected += 1;
      return send(response, difyError(429, 'too_many_requests', 'Too many requests. Please try again later.'));
    }
    const started = performance.now();
    try {
      await handleNow(request, response, async () => {
        const remaining = capacity.serviceMs() - (performance.now() - started);
        if (remaining > 0) await sleep(remaining);
      });
    } finally {
      admission.release();
    }
  }

  async function handleNow(
    request: IncomingMessage,
    response: ServerResponse,
    serve: () => Promise<void> = async () => undefined,
  ): Promise<void> {
    const arrived = performance.now();
    stats.requests += 1;
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const found = match(routes, method, url.pathname);
    const key = found.route?.key ?? `${method} (unmatched)`;
    stats.byRoute[key] = (stats.byRoute[key] ?? 0) + 1;
    const text = method === 'GET' || method === 'HEAD' ? '' : await readBody(request);
    const decision = faults.decide(method, url.pathname);
    // Latency is the server's response time: the work below counts towards it, so a request answers
    // `latencyMs` after it arrived (not latency plus the time spent building the body).
    const waitForLatency = async () => {
      const remaining = decision.delayMs - (performance.now() - arrived);
      if (remaining > 0) await sleep(remaining);
    };
    if (decision.kind) stats.faultsInjected += 1;
    if (decision.kind === 'reset') {
      await waitForLatency();
      request.socket.destroy();
      return;
    }
    const replacement = decision.kind ? faults.replacement(decision.kind) : undefined;
    if (replacement) {
      await waitForLatency();
      return send(response, replacement);
    }
    const simRequest: SimRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      cookies: parseCookies(request.headers.cookie),
      body: parseJson(text),
    };
    const answer = found.route
      ? found.route.handle(simRequest, context, found.params)
      : found.pathMatched
        ? methodNotAllowed()
        : notFound();
    await serve();
    await waitForLatency();
    if (response.destroyed) return;
    if (decision.kind === 'malformed') return send(response, faults.malformed(answer));
    if (decision.kind === 'slow-body') return writeSlowly(response, answer, faults.slowBodyMs(), timers);
    send(response, answer);
  }

  const controls: SimulatorControls = {
    version: world.personality.version,
    apps: world.apps.map((app) => ({
      id: app.id,
      name: app.template.name,
      mode: app.template.mode,
      apiKey: app.apiKey,
      workspaceId: app.workspaceId,
    })),
    workspaceId: world.workspace.id,
    workspaces: world.workspaces.map((workspace) => ({ id: workspace.id, name: workspace.name })),
    currentWorkspaceId: () => currentWorkspaceOf(context, world.owner.id),
    switchWorkspace(workspaceId) {
      if (!world.workspaces.some((workspace) => workspace.id === workspaceId))
        throw new RangeError(`unknown workspace id ${workspaceId}`);
      context.currentWorkspaces.set(world.owner.id, workspaceId);
    },
    account: { email: world.owner.email, password: world.password },
    stats: () => structuredClone(stats),
    resetStats() {
      stats = emptyStats();
      context.stats = stats;
    },
    setFaults: (next) => faults.set(next),
    setCapacity: (next) => capacity.set(next),
    revokeApiKey(appId) {
      context.revokedKeys.add(appId.toLowerCase());
    },
    addRuns(appId, count, options = {}) {
      const app = world.apps.find((candidate) => candidate.id === appId.toLowerCase());
      if (!app) throw new RangeError(`unknown app id ${appId}`);
      store.addRuns(
        app.index,
        Math.max(0, Math.floor(count)),
        world.nowMs + (Date.now() - startedAt),
        options.failureRate === undefined ? undefined : Math.min(1, Math.max(0, options.failureRate)),
      );
    },
    completeRunningRuns: () => store.completeRunningRuns(),
    expireAccessTokens: () => context.sessions.expireAll(),
    issuedTokens: () => context.sessions.issued(),
  };

  return {
    ...controls,
    listener(request, response) {
      handle(request, response).catch(() => {
        if (!response.headersSent && !response.destroyed)
          send(response, {
            status: 500,
            headers: { 'content-type': 'application/json' },
            body: '{"message":"Internal Server Error","code":"unknown","status":500}',
          });
        else response.destroy();
      });
    },
    dispose() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

/** Starts the simulator on 127.0.0.1 (an ephemeral port unless `port` is given). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<DifySimulator> {
  const handler = createSimulatorHandler(options);
  const server = options.tls
    ? createHttpsServer({ keepAliveTimeout: 5000, key: options.tls.key, cert: options.tls.cert }, handler.listener)
    : createServer({ keepAliveTimeout: 5000 }, handler.listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const { listener: _listener, dispose, ...controls } = handler;
  return {
    ...controls,
    url: options.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        dispose();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
