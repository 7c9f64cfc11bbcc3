import { publicMessage } from './redact-message.js';

export interface ReadinessCheck {
  /** Names the check in `/readyz` answers (`database`, `dify`). */
  name: string;
  /** Resolves when the dependency answers; should stop when `signal` aborts (the timeout). */
  check: (signal: AbortSignal) => Promise<void>;
}

export interface ReadinessResult {
  name: string;
  status: 'ok' | 'failed';
  durationMs: number;
  /** Redacted, one line; only on failure. */
  error?: string;
}

class ReadinessTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<ReadinessResult> {
  const controller = new AbortController();
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new ReadinessTimeout(timeoutMs);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    // A check that ignores its signal still ends the wait at the timeout.
    await Promise.race([Promise.resolve().then(() => check.check(controller.signal)), timeout]);
    return { name: check.name, status: 'ok', durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      name: check.name,
      status: 'failed',
      durationMs: Math.round(performance.now() - started),
      error: publicMessage(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once, each bounded by `timeoutMs`; never throws. */
export async function runReadinessChecks(
  checks: ReadinessCheck[],
  timeoutMs: number,
): Promise<{ ready: boolean; checks: ReadinessResult[] }> {
  const results = await Promise.all(checks.map((check) => runCheck(check, timeoutMs)));
  return { ready: results.every((result) => result.status === 'ok'), checks: results };
}
