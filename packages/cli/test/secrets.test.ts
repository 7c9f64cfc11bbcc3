import { decryptSecret, generateSecretKey, parseSecretKey } from '@dify-logs/core';
import { isEncryptedSecret } from '@dify-logs/core/internal';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

const PASSWORD = 'console-pw-Zr81';
const API_KEY = 'app-plain-4c3b2a';

const ENC = /enc:v1:[A-Za-z0-9_-]+/g;

/** A commented configuration with two plain secrets and a reference that must stay a reference. */
function configText(password: string, apiKey: string): string {
  return [
    '# dify-logs: production',
    'dify:',
    '  baseUrl: https://dify.example.com   # the public address',
    `  apiKey: '${apiKey}'`,
    '  appId: app-one',
    '  console:',
    '    email: ops@example.com',
    `    password: ${password}`,
    '',
    'notification:',
    '  enabled: false',
    '  dingtalk: { webhook: "${env:DINGTALK_URL}" }',
    'jobs:',
    '  - name: nightly   # every night',
    '',
  ].join('\n');
}

async function setup() {
  const dir = await tempDir();
  const oldKey = generateSecretKey();
  const newKey = generateSecretKey();
  await writeFile(join(dir, 'old.key'), `${oldKey}\n`);
  await writeFile(join(dir, 'new.key'), `${newKey}\n`);
  const file = join(dir, 'dify-logs.yaml');
  await writeFile(file, configText(PASSWORD, API_KEY));
  await chmod(file, 0o600);
  return {
    dir,
    file,
    oldKey,
    newKey,
    env: { DINGTALK_URL: 'https://oapi.dingtalk.com/robot/send?access_token=ding-tok-1' },
  };
}

function expectNoPlaintext(result: { stdout: string; stderr: string }, ...more: string[]) {
  for (const secret of [PASSWORD, API_KEY, 'ding-tok-1', ...more])
    expect(result.stdout + result.stderr).not.toContain(secret);
}

describe('dify-logs secrets', () => {
  it('generate-key prints a usable key', async () => {
    const result = await cli(['secrets', 'generate-key']);
    expect(result.code).toBe(0);
    expect(parseSecretKey(result.stdout)).toHaveLength(32);
  });

  it('encrypt prints enc:v1:… for a value or for stdin (`-`), never the value', async () => {
    const key = generateSecretKey();
    const plain = await cli(['secrets', 'encrypt', 'app-value-123'], { env: { DIFY_LOGS_SECRET_KEY: key } });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^enc:v1:[A-Za-z0-9_-]+\n$/);
    expect(plain.stdout + plain.stderr).not.toContain('app-value-123');
    expect(decryptSecret(plain.stdout, parseSecretKey(key))).toBe('app-value-123');

    const piped = await cli(['secrets', 'encrypt', '-'], { env: { DIFY_LOGS_SECRET_KEY: key }, stdin: 'from stdin\n' });
    expect(piped.code, piped.stderr).toBe(0);
    expect(decryptSecret(piped.stdout, parseSecretKey(key))).toBe('from stdin');
  });

  it('refuses without a key (exit 2 naming DIFY_LOGS_SECRET_KEY and --key-file) and with a malformed one', async () => {
    const missing = await cli(['secrets', 'encrypt', 'app-value-123']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/DIFY_LOGS_SECRET_KEY.*--key-file/);
    expect(missing.stdout + missing.stderr).not.toContain('app-value-123');
    const malformed = await cli(['secrets', 'encrypt', 'app-value-123'], { env: { DIFY_LOGS_SECRET_KEY: 'short' } });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/DIFY_LOGS_SECRET_KEY: is not a secret key/);
    const both = await cli(['secrets', 'encrypt', 'x', '--file', 'c.yaml'], {
      env: { DIFY_LOGS_SECRET_KEY: generateSecretKey() },
    });
    expect(both.code).toBe(2);
  });

  it(
    'encrypt --file prints the file with every plain ' + 'secret encrypted; comments, layout and references stay',
    async () => {
      const { dir, file, oldKey, env } = await setup();
      const result = await cli(['secrets', 'encrypt', '--file', 'dify-logs.yaml', '--key-file', 'old.key'], {
        env,
        cwd: dir,
      });
      expect(result.code, result.stderr).toBe(0);
      expectNoPlaintext(result, oldKey);
      expect(result.stderr).toContain('encrypted 2 values: dify.apiKey, dify.console.password');
      expect(result.stdout.replace(ENC, 'X')).toBe(configText('X', 'X'));
      expect(await readFile(file, 'utf8')).toBe(configText(PASSWORD, API_KEY));
    },
  );

  it(
    'encrypt --in-place rewrites the file (same permissions); ' + 'config check and print then decrypt it with the key',
    async () => {
      const { dir, file, oldKey, env } = await setup();
      const result = await cli(['secrets', 'encrypt', '--file', file, '--in-place'], {
        env: { ...env, DIFY_LOGS_SECRET_KEY: oldKey },
        cwd: dir,
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/encrypted 2 values: .*\(file rewritten\)/);
      const text = await readFile(file, 'utf8');
      expect(text.replace(ENC, 'X')).toBe(configText('X', 'X'));
      expect(text).not.toContain(PASSWORD);
      expect((await stat(file)).mode & 0o777).toBe(0o600);

      const check = await cli(['config', 'check', '--config', file, '--key-file', 'old.key'], { env, cwd: dir });
      expect(check.code, check.stderr).toBe(0);
      expect(check.stdout).toMatch(/^configuration OK/);
      const print = await cli(['config', 'print', '--config', file], {
        env: { ...env, DIFY_LOGS_SECRET_KEY: oldKey },
        cwd: dir,
      });
      expect(print.code, print.stderr).toBe(0);
      expect(print.stdout).toContain('dify.console.password = [redacted] (file)');
      expect(print.stdout).toContain('dify.apiKey = [redacted] (file)');
      expectNoPlaintext(print, oldKey);

      const again = await cli(['secrets', 'encrypt', '--file', file, '--in-place', '--key-file', 'old.key'], {
        env,
        cwd: dir,
      });
      expect(again.stderr).toContain('no plain secret values to encrypt');
      expect(await readFile(file, 'utf8')).toBe(text);
    },
  );

  it(
    'rotate-key re-encrypts with the new key: the old key then ' +
      'fails (exit 2), the new one loads; nothing else changes',
    async () => {
      const { dir, file, oldKey, newKey, env } = await setup();
      await cli(['secrets', 'encrypt', '--file', file, '--in-place', '--key-file', 'old.key'], { env, cwd: dir });
      const encrypted = await readFile(file, 'utf8');

      const printed = await cli(
        ['secrets', 'rotate-key', '--file', file, '--key-file', 'old.key', '--new-key-file', 'new.key'],
        { env, cwd: dir },
      );
      expect(printed.code, printed.stderr).toBe(0);
      expect(printed.stderr).toContain('re-encrypted 2 values with the new key');
      expect(await readFile(file, 'utf8')).toBe(encrypted);

      const rotated = await cli(['secrets', 'rotate-key', '--file', file, '--in-place', '--new-key-file', 'new.key'], {
        env: { ...env, DIFY_LOGS_SECRET_KEY: oldKey },
        cwd: dir,
      });
      expect(rotated.code, rotated.stderr).toBe(0);
      expect(rotated.stdout).toBe('');
      expectNoPlaintext(rotated, oldKey, newKey);
      const text = await readFile(file, 'utf8');
      expect(text).not.toBe(encrypted);
      expect(text.replace(ENC, 'X')).toBe(encrypted.replace(ENC, 'X'));
      expect((text.match(ENC) ?? []).every((value) => isEncryptedSecret(value))).toBe(true);
      expect((await stat(file)).mode & 0o777).toBe(0o600);

      const withOld = await cli(['config', 'check', '--config', file], {
        env: { ...env, DIFY_LOGS_SECRET_KEY: oldKey },
        cwd: dir,
      });
      expect(withOld.code).toBe(2);
      expect(withOld.stderr).toMatch(/^dify\.apiKey: cannot be decrypted/m);
      expectNoPlaintext(withOld, oldKey);
      const withNew = await cli(['config', 'check', '--config', file], {
        env: { ...env, DIFY_LOGS_SECRET_KEY: newKey },
        cwd: dir,
      });
      expect(withNew.code, withNew.stderr).toBe(0);
    },
  );

  it('rotate-key with a wrong old key or no new key: exit 2, no plaintext, the file untouched', async () => {
    const { dir, file, oldKey, newKey, env } = await setup();
    await cli(['secrets', 'encrypt', '--file', file, '--in-place', '--key-file', 'old.key'], { env, cwd: dir });
    const encrypted = await readFile(file, 'utf8');

    const wrong = await cli(
      ['secrets', 'rotate-key', '--file', file, '--in-place', '--key-file', 'new.key', '--new-key-file', 'old.key'],
      { env, cwd: dir },
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/dify\.apiKey: cannot be decrypted/);
    expectNoPlaintext(wrong, oldKey, newKey);
    expect(await readFile(file, 'utf8')).toBe(encrypted);

    const noNew = await cli(['secrets', 'rotate-key', '--file', file, '--key-file', 'old.key'], { env, cwd: dir });
    expect(noNew.code).toBe(2);
    expect(noNew.stderr).toMatch(/DIFY_LOGS_NEW_SECRET_KEY.*--new-key-file/);
    const fromEnv = await cli(['secrets', 'rotate-key', '--file', file, '--key-file', 'old.key'], {
      env: { ...env, DIFY_LOGS_NEW_SECRET_KEY: newKey },
      cwd: dir,
    });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);

    const same = await cli(
      ['secrets', 'rotate-key', '--file', file, '--key-file', 'old.key', '--new-key-file', 'old.key'],
      { env, cwd: dir },
    );
    expect(same.code).toBe(2);
    expect(same.stderr).toContain('the new key is the old key');
  });

  it('names the file when it is not valid YAML', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'bad.yaml'), 'dify:\n  apiKey: "unterminated\n');
    const result = await cli(['secrets', 'encrypt', '--file', 'bad.yaml'], {
      env: { DIFY_LOGS_SECRET_KEY: generateSecretKey() },
      cwd: dir,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.yaml: is not valid YAML/);
    expect(result.stderr).not.toContain('unterminated');
  });
});
