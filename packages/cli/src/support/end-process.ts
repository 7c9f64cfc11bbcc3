export interface EndProcessOptions {
  /** How long a finished command may wait for its process to end by itself (default 3 000 ms). */
  graceMs?: number;
  write?: (text: string) => void;
  exit?: (code: number) => void;
  /** What still holds the process (default `process.getActiveResourcesInfo()`). */
  resources?: () => string[];
}

/**
 * Ends the process of a finished command that does not end by itself: a library that leaves a timer
 * or a socket behind (Agenda 6.2.6 left a liveness timer of lockLifetime / 2 armed after every job,
 * see patches/agenda@6.2.6.patch) would otherwise keep a stopped worker alive until a process manager
 * kills it. The timer is unref'd, so it never delays a process that ends on its own; when it fires it
 * names what was still open, so a leak stays visible.
 */
export function endProcessAfterGrace(code: number, options: EndProcessOptions = {}): void {
  const graceMs = options.graceMs ?? 3000;
  const timer = setTimeout(() => {
    const open = (options.resources ?? (() => process.getActiveResourcesInfo()))();
    const counts = new Map<string, number>();
    for (const name of open) counts.set(name, (counts.get(name) ?? 0) + 1);
    const held =
      [...counts].map(([name, count]) => (count > 1 ? `${name} x${count}` : name)).join(', ') || 'nothing visible';
    (options.write ?? ((text) => process.stderr.write(text)))(
      `dify-logs: still running ${graceMs / 1000} s after the command finished (open: ${held}); ending the process\n`,
    );
    (options.exit ?? ((exitCode) => process.exit(exitCode)))(code);
  }, graceMs);
  timer.unref();
}

/**
 * Resolves at SIGINT or SIGTERM, or after `forSeconds` when given: how a long-running command (`worker`, `schedule
 * start`, `serve`) waits until it is told to stop.
 */
export function untilStopped(forSeconds?: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (forSeconds) setTimeout(stop, forSeconds * 1000).unref();
  });
}
