import { encryptSecret, generateSecretKey, parseSecretKey } from '@dify-logs/core';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

const SECRETS = {
  envToken: 'app-from-env-9b8c7d',
  consolePassword: 'console-pw-7Yq2x',
  referenced: 'app-referenced-2d4e6f',
  encrypted: 'app-encrypted-3f9a1c',
  dingtalk: 'ding-token-55aa77',
};

/** A configuration with a secret from each place: the environment, the file, a ${env:} reference, an enc:v1: value. */
async function plantedConfig() {
  const dir = await tempDir();
  const keyText = generateSecretKey();
  const file = join(dir, 'dify-logs.yaml');
  await writeFile(
    file,
    [
      '# the test configuration',
      'dify:',
      '  baseUrl: https://dify.example.com',
      '  console:',
      '    email: ops@example.com',
      `    password: "${SECRETS.consolePassword}"`,
      'apps:',
      '  - id: app-one',
      '    apiKey: ${env:APP_ONE_KEY}',
      '  - id: app-two',
      `    apiKey: ${encryptSecret(SECRETS.encrypted, parseSecretKey(keyText))}`,
      'jobs:',
      '  - name: nightly',
      '    reportType: daily',
      'storage: { baseDir: ./outputs, retentionDays: 30 }',
      'notification:',
      '  enabled: true',
      '  type: [console]',
      `  dingtalk: { webhook: "https://oapi.dingtalk.com/robot/send?access_token=${SECRETS.dingtalk}" }`,
      'profiles:',
      '  prod:',
      '    storage: { baseDir: ./prod-outputs }',
      '',
    ].join('\n'),
  );
  const env = { DIFY_API_TOKEN: SECRETS.envToken, APP_ONE_KEY: SECRETS.referenced, DIFY_LOGS_SECRET_KEY: keyText };
  return { dir, file, env, keyText };
}

function expectNoSecrets(result: { stdout: string; stderr: string }, extra: string[] = []) {
  for (const secret of [...Object.values(SECRETS), ...extra]) {
    expect(result.stdout + result.stderr, `a secret (${secret.slice(0, 6)}…) was printed`).not.toContain(secret);
  }
}

describe('dify-logs config print', () => {
  it('shows every key with its source and no secret, as lines and as JSON', async () => {
    const { dir, file, env, keyText } = await plantedConfig();
    const lines = await cli(['config', 'print', '--config', file], { env, cwd: dir });
    expect(lines.code, lines.stderr).toBe(0);
    expectNoSecrets(lines, [keyText]);
    expect(lines.stdout).toContain('dify.apiKey = [redacted] (env)');
    expect(lines.stdout).toContain('dify.console.password = [redacted] (file)');
    expect(lines.stdout).toContain('apps.0.apiKey = [redacted] (file)');
    expect(lines.stdout).toContain('apps.1.apiKey = [redacted] (file)');
    expect(lines.stdout).toContain('notification.dingtalk.webhook = [redacted] (file)');
    expect(lines.stdout).toContain('dify.baseUrl = https://dify.example.com (file)');
    expect(lines.stdout).toContain('dify.timeoutMs = 30000 (default)');

    const json = await cli(['config', 'print', '--config', file, '--json'], { env, cwd: dir });
    expect(json.code, json.stderr).toBe(0);
    expectNoSecrets(json, [keyText]);
    const config = JSON.parse(json.stdout);
    expect(config.dify.apiKey).toBe('[redacted]');
    expect(config.apps[1]).toEqual({ id: 'app-two', apiKey: '[redacted]' });
    expect(config.storage.baseDir).toBe('./outputs');
  });

  it('applies --profile and names it as the source', async () => {
    const { dir, file, env } = await plantedConfig();
    const result = await cli(['config', 'print', '--config', file, '--profile', 'prod'], { env, cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('storage.baseDir = ./prod-outputs (profile)');
  });

  it('answers a wrong or malformed key with exit 2 naming the key, and prints no secret', async () => {
    const { dir, file, env } = await plantedConfig();
    const otherKey = generateSecretKey();
    const wrong = await cli(['config', 'print', '--config', file], {
      env: { ...env, DIFY_LOGS_SECRET_KEY: otherKey },
      cwd: dir,
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^dify-logs: apps\.1\.apiKey: cannot be decrypted/);
    expect(wrong.stdout).toBe('');
    expectNoSecrets(wrong, [otherKey]);

    const malformed = await cli(['config', 'print', '--config', file], {
      env: { ...env, DIFY_LOGS_SECRET_KEY: 'not-a-key-at-all' },
      cwd: dir,
    });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/DIFY_LOGS_SECRET_KEY: is not a secret key/);
    expectNoSecrets(malformed, ['not-a-key-at-all']);

    const missing = await cli(['config', 'print', '--config', file], {
      env: { ...env, DIFY_LOGS_SECRET_KEY: '' },
      cwd: dir,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/apps\.1\.apiKey: is encrypted .* DIFY_LOGS_SECRET_KEY/);
  });

  it('reads the key from --key-file', async () => {
    const { dir, file, env, keyText } = await plantedConfig();
    await writeFile(join(dir, 'secret.key'), `${keyText}\n`);
    const result = await cli(['config', 'print', '--config', file, '--key-file', 'secret.key'], {
      env: { ...env, DIFY_LOGS_SECRET_KEY: '' },
      cwd: dir,
    });
    expect(result.code, result.stderr).toBe(0);
    expectNoSecrets(result, [keyText]);
  });
});

describe('dify-logs config check', () => {
  it('summarises a valid configuration on one screen, without secrets', async () => {
    const { dir, file, env, keyText } = await plantedConfig();
    const result = await cli(['config', 'check', '--config', file, '--profile', 'prod'], { env, cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expectNoSecrets(result, [keyText]);
    expect(result.stdout).toContain(`configuration OK (profile prod, file ${file}): 1 job, 2 apps (app-one, app-two)`);
    expect(result.stdout).toMatch(
      /job +nightly: apps app-one, app-two; window incremental; formats json, markdown; report daily/,
    );
    expect(result.stdout).toMatch(/storage +local \.\/prod-outputs \(kept 30 days\)/);
    expect(result.stdout).toMatch(/notify +console/);
    expect(result.stdout).toMatch(/credentials: API key, console login/);
  });

  it('works from the environment alone', async () => {
    const dir = await tempDir();
    const env = { DIFY_BASE_URL: 'http://127.0.0.1:9', DIFY_API_TOKEN: 'app-x-secret', DIFY_APP_ID: 'a' };
    const result = await cli(['config', 'check'], { env, cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('configuration OK (profile none, file none: environment only): 1 job, 1 app (a)');
    expect(result.stdout).not.toContain('app-x-secret');
  });

  it('lists every problem on its own `key: message` line, exit 2, no stack trace, no secret', async () => {
    const dir = await tempDir();
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      [
        'dify:',
        '  baseUrl: not a url',
        '  apiKey: 987654321',
        'dfy: {}',
        'jobs:',
        '  - name: nightly',
        '    concurrency: 100',
        '',
      ].join('\n'),
    );
    const result = await cli(['config', 'check', '--config', file], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.every((line) => /^[\w.]+: \S/.test(line))).toBe(true);
    expect(result.stderr).toMatch(/^dify\.baseUrl: expected a URL/m);
    expect(result.stderr).toMatch(/^dify\.apiKey: expected a string .*hidden: secret/m);
    expect(result.stderr).toMatch(/^dfy: unknown key/m);
    expect(result.stderr).toMatch(/^jobs\.0\.concurrency: expected a number <= 64/m);
    expect(result.stderr).not.toContain('987654321');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('names an unknown profile', async () => {
    const { dir, file, env } = await plantedConfig();
    const result = await cli(['config', 'check', '--config', file, '--profile', 'qa'], { env, cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^profile: "qa" is not a profile in .*; defined: prod$/m);
  });
});
