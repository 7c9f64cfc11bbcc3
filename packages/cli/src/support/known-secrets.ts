import { scrub } from '@dify-logs/core/cli-kit';
import type { CliIo } from './io.js';

/** The secrets of the configuration each invocation loaded (keyed by its io, so in-process runs stay apart). */
const known = new WeakMap<CliIo, Set<string>>();

export function rememberSecrets(io: CliIo, secrets: Iterable<string>): void {
  const set = known.get(io) ?? new Set<string>();
  for (const secret of secrets) set.add(secret);
  known.set(io, set);
}

/** `text` with every secret the invocation's configuration holds replaced: the last line of defence before stderr. */
export function scrubKnown(io: CliIo, text: string): string {
  const secrets = known.get(io);
  return secrets
    ? scrub(
        text,
        [...secrets].sort((a, b) => b.length - a.length),
      )
    : text;
}
