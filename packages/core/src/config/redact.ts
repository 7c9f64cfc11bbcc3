import { REDACTED, scrub } from '../logging/redact.js';
import { isPlainObject, isSecretPath } from './key-path.js';
import type { LoadedConfig } from './load.js';
import { leaves, valueAt } from './merge.js';
import type { DifyLogsConfig } from './schema.js';

function redactTree(value: unknown, path: string, secrets: readonly string[]): unknown {
  // A secret-named section (`notification.webhook`) is walked: its own keys say what is secret.
  if (path !== '' && isSecretPath(path) && value !== undefined && value !== null && !isPlainObject(value))
    return REDACTED;
  if (typeof value === 'string') return scrub(value, secrets);
  if (Array.isArray(value))
    return value.map((item, index) => redactTree(item, path ? `${path}.${index}` : String(index), secrets));
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      copy[key] = redactTree(item, path ? `${path}.${key}` : key, secrets);
    return copy;
  }
  return value;
}

/**
 * A deep copy of the loaded configuration that is safe to show: every secret key's value is `[redacted]`,
 * and any known secret value found elsewhere (inside a URL, say) is replaced too.
 */
export function redactConfig(loaded: Pick<LoadedConfig, 'config' | 'secrets'>): DifyLogsConfig {
  return redactTree(loaded.config, '', loaded.secrets) as DifyLogsConfig;
}

function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : value.map((item) => formatValue(item)).join(', ');
  if (isPlainObject(value)) return '{}';
  if (typeof value === 'string') return value === '' ? '""' : value;
  return String(value);
}

/**
 * One line per key of the configuration, `key = value (source)`, secrets redacted: what `dify-logs config print` shows.
 */
export function describeSources(loaded: Pick<LoadedConfig, 'config' | 'secrets' | 'sources'>): string[] {
  const safe = redactConfig(loaded);
  return leaves(safe).map(
    ([path]) => `${path} = ${formatValue(valueAt(safe, path))} (${loaded.sources.get(path) ?? 'default'})`,
  );
}
