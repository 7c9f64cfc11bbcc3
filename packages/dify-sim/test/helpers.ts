import { afterEach } from 'vitest';
import { startSimulator, type DifyPersonality, type DifySimulator, type SimulatorOptions } from '../src/index.js';
import { PERSONALITIES as BEHAVIOUR } from '../src/personalities.js';

const running: DifySimulator[] = [];

export const PERSONALITIES: DifyPersonality[] = ['1.9.1', '1.11.2', '1.13.3'];
export const NOW = '2026-03-10T12:00:00Z';

/** A simulator with a fixed clock and seed, closed after the test. */
export async function sim(options: SimulatorOptions = {}): Promise<DifySimulator> {
  const simulator = await startSimulator({ seed: 5, runsPerApp: 150, now: NOW, ...options });
  running.push(simulator);
  return simulator;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function call<T = any>(simulator: DifySimulator, path: string, init: RequestInit = {}): Promise<Reply<T>> {
  const response = await fetch(`${simulator.url}${path}`, init);
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, text };
}

export function workflowApp(simulator: DifySimulator) {
  return simulator.apps.find((app) => app.mode === 'workflow')!;
}

export function chatflowApp(simulator: DifySimulator) {
  return simulator.apps.find((app) => app.mode === 'advanced-chat')!;
}

export function keyHeaders(apiKey: string): Record<string, string> {
  return { authorization: `Bearer ${apiKey}` };
}

/** GET on the Service API with the first workflow app's key. */
export function service<T = any>(simulator: DifySimulator, path: string, apiKey = workflowApp(simulator).apiKey) {
  return call<T>(simulator, `/v1${path}`, { headers: keyHeaders(apiKey) });
}

export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

export function postJson(simulator: DifySimulator, path: string, json: unknown, headers: Record<string, string> = {}) {
  return call(simulator, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(json),
  });
}

/** name=value pairs from Set-Cookie headers. */
export function cookiesOf(headers: Headers): Map<string, string> {
  const jar = new Map<string, string>();
  for (const line of headers.getSetCookie()) {
    const pair = line.split(';')[0]!;
    const separator = pair.indexOf('=');
    jar.set(pair.slice(0, separator), pair.slice(separator + 1));
  }
  return jar;
}

export interface ConsoleSession {
  /** Headers that authenticate a console request in this release. */
  headers(): Record<string, string>;
  jar: Map<string, string>;
  tokens: { access_token: string; refresh_token: string } | undefined;
}

/** Logs in the way the release wants (plain or Base64 password; body tokens or cookies). */
export async function login(simulator: DifySimulator): Promise<ConsoleSession> {
  const cookieEra = BEHAVIOUR[simulator.version].session === 'cookie';
  const password = BEHAVIOUR[simulator.version].base64Password
    ? base64(simulator.account.password)
    : simulator.account.password;
  const reply = await postJson(simulator, '/console/api/login', {
    email: simulator.account.email,
    password,
    remember_me: true,
  });
  if (reply.status !== 200) throw new Error(`login failed: ${reply.status} ${reply.text}`);
  const jar = cookiesOf(reply.headers);
  const session: ConsoleSession = {
    jar,
    tokens: cookieEra ? undefined : reply.body.data,
    headers(): Record<string, string> {
      if (!cookieEra) return { authorization: `Bearer ${session.tokens!.access_token}` };
      const csrf = [...jar].find(([name]) => name.endsWith('csrf_token'))?.[1] ?? '';
      return { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '), 'x-csrf-token': csrf };
    },
  };
  return session;
}

export function consoleGet<T = any>(simulator: DifySimulator, session: ConsoleSession, path: string) {
  return call<T>(simulator, `/console/api${path}`, { headers: session.headers() });
}
