// Installs the workspace with the pinned pnpm (through npx, so only Node and npm are needed) and builds it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PNPM_VERSION = '10.34.9';
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', COREPACK_ENABLE_STRICT: '0' };

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', env, ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

export function pnpm(args, options) {
  const local = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (local.status === 0 && local.stdout.trim() === PNPM_VERSION) return run('pnpm', args, options);
  return run('npx', ['--yes', `pnpm@${PNPM_VERSION}`, ...args], options);
}

/** Exits when a step failed; `summary` prints the plain line CI reads, counting the step as one failure. */
export function mustSucceed(label, status, { summary = false } = {}) {
  if (status !== 0) {
    console.error(`\n${label} failed (exit ${status})`);
    if (summary) console.log('0 passed, 1 failed');
    process.exit(status || 1);
  }
}

export function bootstrap(options = {}) {
  const frozen = existsSync('pnpm-lock.yaml') && process.env.CI ? ['--frozen-lockfile'] : [];
  mustSucceed('pnpm install', pnpm(['install', ...frozen]), options);
  mustSucceed('build', pnpm(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']), options);
}
