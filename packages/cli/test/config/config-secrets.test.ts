import { PLUGINS as FIRST_PARTY } from '../../src/support/config-flags.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DifyConfigError } from '@dify-logs/core';
import {
  decryptSecret,
  describeSources,
  encryptSecret,
  generateSecretKey,
  loadConfig,
  parseSecretKey,
  type LoadConfigOptions,
} from '@dify-logs/core';
import { encryptSecretsInDocument, rotateSecrets } from '../../src/support/secret-document.js';
import { isSecretPath, redactConfig } from '@dify-logs/core/internal';

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dify-logs-secrets-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

function thrown(action: () => unknown): DifyConfigError {
  try {
    action();
  } catch (error) {
    if (DifyConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a DifyConfigError');
}

async function rejected(options: LoadConfigOptions): Promise<DifyConfigError> {
  try {
    await loadConfig({ plugins: FIRST_PARTY, ...options });
  } catch (error) {
    if (DifyConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a DifyConfigError');
}

const PLANTED = 'planted-Secret-7f3a9c';

describe('secret keys', () => {
  it('generates 32-byte keys and reads them as base64, base64url or hex', () => {
    const text = generateSecretKey();
    const key = parseSecretKey(text);
    expect(key).toHaveLength(32);
    expect(parseSecretKey(key.toString('hex'))).toEqual(key);
    expect(parseSecretKey(`${key.toString('base64url')}\n`)).toEqual(key);
    expect(generateSecretKey()).not.toBe(text);
  });

  it('rejects anything else without repeating it', () => {
    const error = thrown(() => parseSecretKey('too-short-key-text'));
    expect(error.key).toBe('DIFY_LOGS_SECRET_KEY');
    expect(error.message).toContain(
      'expected 32 bytes as base64 (44 characters) or as 64 hex characters (got 18 characters)',
    );
    expect(error.message).not.toContain('too-short-key-text');
  });

  it('treats passwords, secrets, API keys, tokens and webhooks as secrets', () => {
    for (const path of [
      'dify.apiKey',
      'dify.console.password',
      'apps.3.apiKey',
      'storage.oss.accessKeySecret',
      'notification.dingtalk.webhook',
      'notification.feishu.secret',
      'notification.webhook.url',
      'storage.s3.sessionToken',
    ]) {
      expect(isSecretPath(path), path).toBe(true);
    }
    for (const path of [
      'dify.baseUrl',
      'dify.appId',
      'storage.oss.accessKeyId',
      'notification.email.user',
      'jobs.0.name',
    ])
      expect(isSecretPath(path), path).toBe(false);
  });
});

describe('encryptSecret / decryptSecret', () => {
  const key = parseSecretKey(generateSecretKey());

  it('round-trips, with a fresh IV each time', () => {
    const first = encryptSecret(PLANTED, key);
    expect(first).toMatch(/^enc:v1:[A-Za-z0-9_-]+$/);
    expect(encryptSecret(PLANTED, key)).not.toBe(first);
    expect(decryptSecret(first, key)).toBe(PLANTED);
    expect(decryptSecret(encryptSecret('', key), key)).toBe('');
    expect(decryptSecret(encryptSecret('密码 ✓', key), key)).toBe('密码 ✓');
  });

  it('a wrong key is an error naming the key path, never the plaintext or the key', () => {
    const other = parseSecretKey(generateSecretKey());
    const error = thrown(() => decryptSecret(encryptSecret(PLANTED, key), other, 'dify.apiKey'));
    expect(error.key).toBe('dify.apiKey');
    expect(error.message).toBe(
      'dify.apiKey: cannot be decrypted: the secret key is not the one it was encrypted with, or the value was altered',
    );
    expect(error.message).not.toContain(PLANTED);
    expect(error.message).not.toContain(other.toString('base64'));
  });

  it('a tampered or truncated value is an error', () => {
    const value = encryptSecret(PLANTED, key);
    const body = Buffer.from(value.slice('enc:v1:'.length), 'base64url');
    body[14] = (body[14] ?? 0) ^ 1;
    expect(thrown(() => decryptSecret(`enc:v1:${body.toString('base64url')}`, key, 'x')).message).toContain(
      'cannot be decrypted',
    );
    expect(thrown(() => decryptSecret('enc:v1:AAAA', key, 'x')).message).toContain('too short');
    expect(thrown(() => decryptSecret('enc:v1:not base64!', key, 'x')).message).toContain('expected base64url');
    expect(thrown(() => decryptSecret('plain', key, 'x')).message).toContain('is not an encrypted value');
  });
});

describe('rotateSecrets', () => {
  it('re-encrypts every enc:v1 value and keeps everything else byte for byte', () => {
    const oldKey = parseSecretKey(generateSecretKey());
    const newKey = parseSecretKey(generateSecretKey());
    const document = [
      '# dify-logs configuration',
      'dify:',
      '  baseUrl: https://dify.example.com   # the server',
      `  apiKey: ${encryptSecret('app-one', oldKey)}`,
      '',
      '  # console login',
      `  console: { email: me@example.com, password: "${encryptSecret(PLANTED, oldKey)}" }`,
      'apps:',
      `  - { id: a, apiKey: '${encryptSecret('app-a', oldKey)}' }`,
      'notification:',
      '  dingtalk:',
      `    webhook: ${encryptSecret('https://oapi.dingtalk.com/robot/send?access_token=t', oldKey)} # rotated`,
      '',
    ].join('\n');
    const rotated = rotateSecrets(document, oldKey, newKey);
    const before = document.split('\n');
    const after = rotated.split('\n');
    expect(after).toHaveLength(before.length);
    after.forEach((line, index) => {
      if (!before[index]?.includes('enc:v1:')) expect(line).toBe(before[index]);
    });
    expect(after[6]).toMatch(/^ {2}console: \{ email: me@example\.com, password: "enc:v1:[A-Za-z0-9_-]+" \}$/);
    expect(after[8]).toMatch(/^ {2}- \{ id: a, apiKey: 'enc:v1:[A-Za-z0-9_-]+' \}$/);
    expect(after[11]).toMatch(/ # rotated$/);
    const values = parse(rotated) as {
      dify: { apiKey: string; console: { password: string } };
      apps: Array<{ apiKey: string }>;
      notification: { dingtalk: { webhook: string } };
    };
    expect(decryptSecret(values.dify.apiKey, newKey)).toBe('app-one');
    expect(decryptSecret(values.dify.console.password, newKey)).toBe(PLANTED);
    expect(decryptSecret(values.apps[0]!.apiKey, newKey)).toBe('app-a');
    expect(decryptSecret(values.notification.dingtalk.webhook, newKey)).toContain('access_token=t');
    expect(thrown(() => decryptSecret(values.dify.apiKey, oldKey)).message).toContain('cannot be decrypted');
  });

  it('works on JSON documents and block scalars with CRLF line ends', () => {
    const oldKey = parseSecretKey(generateSecretKey());
    const newKey = parseSecretKey(generateSecretKey());
    const json = `{\n  "dify": { "apiKey": "${encryptSecret('app-json', oldKey)}", "timeoutMs": 5000 }\n}\n`;
    const rotatedJson = rotateSecrets(json, oldKey, newKey);
    expect(decryptSecret((JSON.parse(rotatedJson) as { dify: { apiKey: string } }).dify.apiKey, newKey)).toBe(
      'app-json',
    );
    expect(rotatedJson.replace(/enc:v1:[\w-]+/, 'X')).toBe(json.replace(/enc:v1:[\w-]+/, 'X'));
    const block = `dify:\r\n  apiKey: |\r\n    ${encryptSecret('app-block', oldKey)}\r\n  appId: a\r\n`;
    const rotatedBlock = rotateSecrets(block, oldKey, newKey);
    expect(rotatedBlock).toMatch(/^dify:\r\n {2}apiKey: enc:v1:[\w-]+\r\n {2}appId: a\r\n$/);
    expect(decryptSecret((parse(rotatedBlock) as { dify: { apiKey: string } }).dify.apiKey, newKey)).toBe('app-block');
    expect(rotateSecrets('# nothing to do\nlogging: { level: info }\n', oldKey, newKey)).toBe(
      '# nothing to do\nlogging: { level: info }\n',
    );
  });

  it('stops at a value the old key cannot decrypt, naming its key path', () => {
    const oldKey = parseSecretKey(generateSecretKey());
    const stranger = parseSecretKey(generateSecretKey());
    const document =
      `dify:\n  apiKey: ${encryptSecret('a', oldKey)}\napps:\n  - id: b\n` +
      `    apiKey: ${encryptSecret(PLANTED, stranger)}\n`;
    const error = thrown(() => rotateSecrets(document, oldKey, parseSecretKey(generateSecretKey())));
    expect(error.key).toBe('apps.0.apiKey');
    expect(error.message).not.toContain(PLANTED);
  });

  it('encryptSecretsInDocument encrypts plain secret values in place, leaving references alone', () => {
    const key = parseSecretKey(generateSecretKey());
    const document =
      'dify:\n  baseUrl: https://d.example.com # server\n  apiKey: app-plain\n  console:\n' +
      '    email: me@example.com\n    password: "0123"\napps:\n  - id: a\n    apiKey: ${env:APP_A_KEY}\n';
    const { document: encrypted, encrypted: paths } = encryptSecretsInDocument(document, key);
    expect(paths).toEqual(['dify.apiKey', 'dify.console.password']);
    expect(encrypted).toContain('  baseUrl: https://d.example.com # server\n');
    expect(encrypted).toContain('apiKey: ${env:APP_A_KEY}');
    const values = parse(encrypted) as { dify: { apiKey: string; console: { password: string } } };
    expect(decryptSecret(values.dify.apiKey, key)).toBe('app-plain');
    expect(decryptSecret(values.dify.console.password, key)).toBe('0123');
  });
});

describe('encrypted values in configuration files', () => {
  const keyText = generateSecretKey();
  const key = parseSecretKey(keyText);
  const file = () =>
    `dify:\n  baseUrl: https://dify.example.com\n  apiKey: ${encryptSecret(PLANTED, key)}\n  appId: app-1\n`;

  it('are decrypted with DIFY_LOGS_SECRET_KEY or a key file', async () => {
    const cwd = workspace({ 'config.yaml': file(), 'secret.key': `${key.toString('hex')}\n` });
    const fromEnv = await loadConfig({
      plugins: FIRST_PARTY,
      cwd,
      file: 'config.yaml',
      env: { DIFY_LOGS_SECRET_KEY: keyText },
    });
    expect(fromEnv.config.dify.apiKey).toBe(PLANTED);
    expect(fromEnv.secrets).toContain(PLANTED);
    const fromFile = await loadConfig({
      plugins: FIRST_PARTY,
      cwd,
      file: 'config.yaml',
      keyFile: 'secret.key',
      env: {},
    });
    expect(fromFile.config.dify.apiKey).toBe(PLANTED);
  });

  it('without a key: an error naming the key path and saying how to provide the key', async () => {
    const error = await rejected({ cwd: workspace({ 'config.yaml': file() }), file: 'config.yaml', env: {} });
    expect(error.key).toBe('dify.apiKey');
    expect(error.message).toContain('no secret key is available: set DIFY_LOGS_SECRET_KEY');
    expect(error.message).toContain('key file');
  });

  it('with the wrong key: an error naming the key path, without the key or the value', async () => {
    const wrong = generateSecretKey();
    const error = await rejected({
      cwd: workspace({ 'config.yaml': file() }),
      file: 'config.yaml',
      env: { DIFY_LOGS_SECRET_KEY: wrong },
    });
    expect(error.key).toBe('dify.apiKey');
    expect(error.message).toContain('cannot be decrypted');
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain(PLANTED);
  });
});

describe('a planted secret never shows', () => {
  const plantedEverywhere = {
    DIFY_BASE_URL: 'https://dify.example.com',
    DIFY_API_TOKEN: PLANTED,
    DIFY_APP_ID: 'app-1',
    DIFY_CONSOLE_EMAIL: 'me@example.com',
    DIFY_CONSOLE_PASSWORD: `${PLANTED}-console`,
    SMTP_HOST: 'smtp.example.com',
    SMTP_TO: 'ops@example.com',
    SMTP_PASSWORD: `${PLANTED}-smtp`,
    DINGTALK_WEBHOOK: `https://oapi.dingtalk.com/robot/send?access_token=${PLANTED}`,
    OSS_ENDPOINT: 'e',
    OSS_ACCESS_KEY_ID: 'id',
    OSS_ACCESS_KEY_SECRET: `${PLANTED}-oss`,
    OSS_BUCKET_NAME: 'b',
  };

  it('in redactConfig or describeSources', async () => {
    const cwd = workspace({
      'config.yaml':
        `dify:\n  admin: null\napps:\n  - id: app-1\n    apiKey: ${PLANTED}\nnotification:\n  webhook:\n` +
        `    url: https://hooks.example.com/${PLANTED}\njobs:\n` +
        `  - name: planted\n    keyword: "look: ${PLANTED}"\n`,
    });
    const loaded = await loadConfig({
      plugins: FIRST_PARTY,
      cwd,
      file: 'config.yaml',
      env: { ...plantedEverywhere, DIFY_ADMIN_API_KEY: undefined },
    });
    expect(loaded.config.dify.apiKey).toBe(PLANTED);
    const redacted = redactConfig(loaded);
    expect(JSON.stringify(redacted)).not.toContain(PLANTED);
    expect(redacted.dify.apiKey).toBe('[redacted]');
    expect(redacted.dify.console?.password).toBe('[redacted]');
    expect((redacted.notification.webhook as { url?: string } | undefined)?.url).toBe('[redacted]');
    expect(redacted.jobs[0]?.keyword).toBe('look: [redacted]');
    expect(redacted.dify.console?.email).toBe('me@example.com');
    expect(loaded.config.dify.apiKey).toBe(PLANTED);

    const lines = describeSources(loaded);
    expect(lines.join('\n')).not.toContain(PLANTED);
    expect(lines).toContain('dify.apiKey = [redacted] (env)');
    expect(lines).toContain('apps.0.apiKey = [redacted] (file)');
    expect(lines).toContain('dify.baseUrl = https://dify.example.com (env)');
    expect(lines).toContain('jobs.0.outputFormat = json, markdown (default)');
    expect(lines).toContain('jobs.0.apps = app-1 (default)');
    expect(lines).toContain('state.path = ./outputs/.dify-logs-state.json (default)');
  });

  it('in validation errors, even when it sits in a key that is not secret', async () => {
    const cwd = workspace({
      'config.yaml':
        `dify:\n  apiKey: ${PLANTED}\n  appId: ${PLANTED}\n` +
        `  console: { email: me@example.com, password: 42 }\njobs:\n` +
        `  - name: "${PLANTED}!"\n    timezone: ${PLANTED}\n`,
    });
    const error = await rejected({ cwd, file: 'config.yaml', env: { DIFY_BASE_URL: PLANTED } });
    expect(error.message.split('\n').length).toBeGreaterThanOrEqual(3);
    expect(error.message).not.toContain(PLANTED);
    expect(error.message).toContain(
      'dify.baseUrl: expected a URL (http or https), got "[redacted]" (from the environment variable DIFY_BASE_URL)',
    );
    expect(error.message).toContain(
      'dify.console.password: expected a string (put the value in quotes), got a value (hidden: secret)',
    );
  });

  it('in reference errors', async () => {
    const cwd = workspace({
      'config.yaml': `dify:\n  baseUrl: https://d.example.com\n  apiKey: ${PLANTED}\n  appId: \${env:MISSING_APP}\n`,
    });
    const error = await rejected({ cwd, file: 'config.yaml', env: {} });
    expect(error.message).toBe(
      'dify.appId: refers to ${env:MISSING_APP}, but the environment variable MISSING_APP is not set',
    );
  });
});
