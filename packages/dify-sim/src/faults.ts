import type { ServerResponse } from 'node:http';
import { difyError, internalServerError } from './errors.js';
import type { SimResponse } from './http.js';
import { createRandom, hash32 } from './data/prng.js';
import type { FaultOptions } from './types.js';

export type FaultKind = 'reset' | '429' | '5xx' | '502' | 'malformed' | 'slow-body';

export interface FaultDecision {
  delayMs: number;
  kind: FaultKind | undefined;
}

export interface FaultInjector {
  set(faults: FaultOptions | undefined): void;
  decide(method: string, path: string): FaultDecision;
  /** The answer for a fault that replaces the real response (429, 500, 502). */
  replacement(kind: FaultKind): SimResponse | undefined;
  /** A 200 whose JSON is cut off. */
  malformed(response: SimResponse): SimResponse;
  slowBodyMs(): number;
}

const EXEMPT = [/^\/v1\/?$/, /^\/console\/api\/login$/, /^\/console\/api\/refresh-token$/];

const NGINX_502 = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx/1.25.5</center>
</body>
</html>
`;

/** Decides per request, from a seeded stream, whether and how to misbehave. */
export function createFaultInjector(seed: number, initial: FaultOptions | undefined): FaultInjector {
  const random = createRandom(hash32(seed, 0xfa017));
  let faults: FaultOptions = {};
  let paths: RegExp | undefined;
  const set = (next: FaultOptions | undefined) => {
    faults = { ...next };
    paths = faults.paths === undefined || faults.paths === '' ? undefined : new RegExp(faults.paths);
  };
  set(initial);
  return {
    set,
    decide(method, path) {
      const eligible = paths
        ? paths.test(path)
        : !(method === 'GET' && EXEMPT[0]!.test(path)) && !EXEMPT.slice(1).some((pattern) => pattern.test(path));
      if (!eligible) return { delayMs: 0, kind: undefined };
      const delayMs = Math.max(0, faults.latencyMs ?? 0) + (faults.jitterMs ? random.next() * faults.jitterMs : 0);
      const roll = random.next();
      let threshold = 0;
      const table: Array<[FaultKind, number | undefined]> = [
        ['reset', faults.rateReset],
        ['429', faults.rate429],
        ['5xx', faults.rate5xx],
        ['502', faults.rate502Html],
        ['malformed', faults.rateMalformed],
        ['slow-body', faults.rateSlowBody],
      ];
      for (const [kind, rate] of table) {
        threshold += Math.max(0, rate ?? 0);
        if (roll < threshold) return { delayMs, kind };
      }
      return { delayMs, kind: undefined };
    },
    replacement(kind) {
      if (kind === '429') {
        // null: a gateway's 429, with no Retry-After.
        return difyError(
          429,
          'too_many_requests',
          'Too many requests. Please try again later.',
          faults.retryAfterSeconds === null ? {} : { 'retry-after': String(faults.retryAfterSeconds ?? 1) },
        );
      }
      if (kind === '5xx') return internalServerError();
      if (kind === '502')
        return { status: 502, headers: { 'content-type': 'text/html', server: 'nginx/1.25.5' }, body: NGINX_502 };
      return undefined;
    },
    malformed(response) {
      const body =
        response.body.length > 1
          ? response.body.slice(0, Math.max(1, Math.floor(response.body.length / 2)))
          : '{"data": [';
      return { status: 200, headers: { 'content-type': 'application/json' }, body };
    },
    slowBodyMs: () => Math.max(0, faults.slowBodyMs ?? 2000),
  };
}

/** Sends the headers at once, then the body in ten pieces spread over `totalMs`. */
export function writeSlowly(
  response: ServerResponse,
  answer: SimResponse,
  totalMs: number,
  timers: Set<NodeJS.Timeout>,
): void {
  response.writeHead(answer.status, answer.headers);
  response.flushHeaders();
  const bytes = Buffer.from(answer.body, 'utf8');
  const pieces = 10;
  const size = Math.ceil(bytes.length / pieces);
  let sent = 0;
  const step = () => {
    if (response.destroyed) return;
    if (sent >= pieces) {
      response.end();
      return;
    }
    response.write(bytes.subarray(sent * size, (sent + 1) * size));
    sent += 1;
    const timer = setTimeout(() => {
      timers.delete(timer);
      step();
    }, totalMs / pieces);
    timers.add(timer);
  };
  step();
}
