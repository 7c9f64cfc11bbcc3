import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { DifyConfigError } from '../../src/errors/config-error.js';
import { hostileValue, oddString, RUNS, setPath } from './arbitraries.js';

const dir = mkdtempSync(join(tmpdir(), 'dify-logs-config-fuzz-'));
writeFileSync(join(dir, 'none.env'), '');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VALID = {
  dify: { baseUrl: 'https://dify.example.com', apiKey: 'app-fuzz-secret-key', appId: 'app-1' },
  storage: { type: 'local', baseDir: './out' },
  notification: { enabled: false },
};
const KNOWN_PATHS: string[][] = [
  ['dify'],
  ['dify', 'baseUrl'],
  ['dify', 'apiKey'],
  ['dify', 'timeoutMs'],
  ['storage'],
  ['storage', 'type'],
  ['storage', 'retentionDays'],
  ['notification', 'enabled'],
  ['notification', 'type'],
  ['jobs'],
  ['jobs', '0'],
  ['jobs', '0', 'window'],
  ['logging', 'level'],
  ['profiles'],
  ['profile'],
  ['worker', 'port'],
];

let counter = 0;
async function load(text: string, name: string, env: Record<string, string> = {}) {
  counter += 1;
  const file = join(dir, `${counter}-${name}`);
  writeFileSync(file, text);
  return loadConfig({ cwd: dir, file, env, envFile: join(dir, 'none.env') }).catch((error: unknown) => {
    if (DifyConfigError.isInstance(error)) return error;
    throw new Error(`expected only DifyConfigError, got ${String(error)}`, { cause: error });
  });
}

/** YAML text of a tree holding hostile values; values YAML cannot express are left to the next run. */
function toYaml(tree: unknown): string | undefined {
  try {
    return stringify(tree, { aliasDuplicateObjects: false });
  } catch {
    return undefined;
  }
}

describe('config loader under hostile files and environments (fast-check)', () => {
  it('a known key set to anything: a config or a DifyConfigError naming a key, never the secret', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...KNOWN_PATHS), hostileValue, fc.boolean(), async (path, value, asJson) => {
        const tree = setPath(VALID, path, value);
        const text = asJson
          ? (() => {
              try {
                return JSON.stringify(tree);
              } catch {
                return undefined;
              }
            })()
          : toYaml(tree);
        if (text === undefined) return;
        const result = await load(text, asJson ? 'config.json' : 'config.yaml');
        if (DifyConfigError.isInstance(result)) {
          expect(result.key).not.toBe('');
          expect(result.message).not.toContain('app-fuzz-secret-key');
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('random bytes, BOMs, YAML tags and deep nesting as the file: a DifyConfigError naming the file', async () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
      fc.string({ unit: 'binary', maxLength: 200 }),
      oddString,
      fc.constantFrom(
        '\uFEFFdify:\n  baseUrl: x\n',
        `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
        `${'a:\n '.repeat(2_000)}1`,
        '--- !!js/function "function(){}"',
        'dify: !!binary AAAA',
        '? [a, b]\n: c',
        'a: 1\na: 2',
        '<<: *undefined',
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (text, asJson) => {
        const result = await load(text, asJson ? 'random.json' : 'random.yaml');
        if (DifyConfigError.isInstance(result)) expect(result.key.trim()).not.toBe('');
      }),
      { numRuns: RUNS },
    );
  });

  it('an alias bomb is refused with a DifyConfigError, not expanded', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let index = 1; index < 10; index += 1) {
      const previous = String.fromCharCode(96 + index);
      lines.push(
        `${String.fromCharCode(97 + index)}: &${String.fromCharCode(97 + index)}` +
          ` [${Array(9).fill(`*${previous}`).join(',')}]`,
      );
    }
    const result = await load(lines.join('\n'), 'bomb.yaml');
    expect(DifyConfigError.isInstance(result)).toBe(true);
    expect((result as DifyConfigError).message).toMatch(/bomb\.yaml/);
  });

  it('Object.prototype names as keys of a profile are unknown keys, named (the counterexample CI found)', async () => {
    for (const text of [
      'profiles:\n  id:\n    hasOwnProperty: {}\n',
      'profiles:\n  id:\n    dify:\n      toString: 1\n',
    ]) {
      const result = await load(text, 'names.yaml');
      expect(DifyConfigError.isInstance(result), text).toBe(true);
      expect((result as DifyConfigError).message, text).toMatch(/hasOwnProperty|toString/);
    }
  });

  it('__proto__ keys in a file are refused by name, never merged into a prototype', async () => {
    for (const text of [
      'dify:\n  __proto__:\n    apiKey: sneaky\n',
      '{"dify":{"__proto__":{"polluted":1}}}',
      'profiles:\n  prod:\n    __proto__:\n      polluted: 1\n',
      'storage:\n  constructor:\n    prototype:\n      polluted: 1\n',
    ]) {
      const result = await load(text, text.startsWith('{') ? 'proto.json' : 'proto.yaml');
      expect(DifyConfigError.isInstance(result), text).toBe(true);
      expect((result as DifyConfigError).message, text).toMatch(/__proto__|constructor/);
      expect((result as DifyConfigError).message).not.toMatch(/polluted/);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it(
    'environment variables and ${env:…} references holding ' + 'anything: a config or a DifyConfigError naming the key',
    async () => {
      const variable = fc.constantFrom(
        'DIFY_BASE_URL',
        'STORAGE_TYPE',
        'NOTIFICATION_TYPE',
        'NOTIFICATION_ENABLED',
        'SMTP_PORT',
        'LOG_LEVEL',
        'LOG_RETENTION_DAYS',
        'WORKER_PORT',
        'DIFY_LOGS_PROFILE',
        'DIFY_LOGS_SECRET_KEY',
        'S3_FORCE_PATH_STYLE',
      );
      const text = fc.oneof(
        oddString,
        fc.string({ maxLength: 30 }),
        fc.constantFrom(
          '${env:HOME}',
          '$${literal',
          '${file:/etc/shadow}',
          '${file:../../../../etc/passwd}',
          'enc:v1:AAAA',
          'enc:v1:',
          '1e999',
          '-1',
          '99999999999999999999',
        ),
      );
      await fc.assert(
        fc.asyncProperty(variable, text, fc.boolean(), async (name, value, viaReference) => {
          const env: Record<string, string> = viaReference ? { FUZZ: value } : { [name]: value.replace(/\0/g, '') };
          const tree = viaReference ? setPath(VALID, ['storage', 'baseDir'], '${env:FUZZ}') : VALID;
          const result = await load(toYaml(tree)!, 'env.yaml', env);
          if (DifyConfigError.isInstance(result)) {
            expect(result.key).not.toBe('');
            expect(result.message).not.toContain('app-fuzz-secret-key');
          }
        }),
        { numRuns: RUNS },
      );
    },
  );
});
