import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DifyConfigError } from '@dify-logs/core';
import { encryptSecret, generateSecretKey, loadConfig, parseSecretKey, type LoadConfigOptions } from '@dify-logs/core';
import { PLUGINS as FIRST_PARTY } from '../../src/support/config-flags.js';

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dify-logs-config-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

async function loadError(options: LoadConfigOptions): Promise<DifyConfigError> {
  try {
    await loadConfig({ plugins: FIRST_PARTY, ...options });
  } catch (error) {
    if (DifyConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a DifyConfigError');
}

const FILE = `
dify:
  baseUrl: https://file.example.com
  apiKey: app-file-key
  appId: app-1
storage:
  baseDir: ./from-file
logging:
  level: warn
profiles:
  prod:
    storage:
      baseDir: ./from-profile
    logging:
      level: error
`;

describe('loadConfig precedence', () => {
  const all = {
    '.env': 'OUTPUT_BASE_DIR=./from-dotenv\nLOG_LEVEL=DEBUG\n',
    'config.yaml': FILE,
  };

  it('override > env > .env > profile > file > default, and sources names the winner', async () => {
    const cwd = workspace(all);
    const base: LoadConfigOptions = {
      cwd,
      file: 'config.yaml',
      profile: 'prod',
      env: { OUTPUT_BASE_DIR: './from-env' },
    };

    const withOverride = await loadConfig({
      plugins: FIRST_PARTY,
      ...base,
      overrides: { storage: { baseDir: './from-override' } },
    });
    expect(withOverride.config.storage.baseDir).toBe('./from-override');
    expect(withOverride.sources.get('storage.baseDir')).toBe('override');

    const withEnv = await loadConfig(base);
    expect(withEnv.config.storage.baseDir).toBe('./from-env');
    expect(withEnv.sources.get('storage.baseDir')).toBe('env');
    expect(withEnv.config.logging.level).toBe('debug');
    expect(withEnv.sources.get('logging.level')).toBe('.env');

    const withDotenv = await loadConfig({ plugins: FIRST_PARTY, ...base, env: {} });
    expect(withDotenv.config.storage.baseDir).toBe('./from-dotenv');
    expect(withDotenv.sources.get('storage.baseDir')).toBe('.env');

    const withProfile = await loadConfig({
      plugins: FIRST_PARTY,
      ...base,
      env: {},
      envFile: join(workspace({ '.env': '' }), '.env'),
    });
    expect(withProfile.config.storage.baseDir).toBe('./from-profile');
    expect(withProfile.sources.get('storage.baseDir')).toBe('profile');
    expect(withProfile.profile).toBe('prod');

    const withFile = await loadConfig({
      plugins: FIRST_PARTY,
      ...base,
      profile: undefined,
      env: {},
      envFile: join(workspace({ '.env': '' }), '.env'),
    });
    expect(withFile.config.storage.baseDir).toBe('./from-file');
    expect(withFile.sources.get('storage.baseDir')).toBe('file');
    expect(withFile.sources.get('dify.baseUrl')).toBe('file');
    expect(withFile.file).toBe(join(cwd, 'config.yaml'));
    expect(withFile.profile).toBeUndefined();

    expect(withFile.sources.get('storage.type')).toBe('default');
    expect(withFile.sources.get('jobs.0.concurrency')).toBe('default');
    expect(withFile.sources.get('state.path')).toBe('default');
    expect(withFile.config.state.path).toBe('./from-file/.dify-logs-state.json');
  });

  it('an empty section from a source does not claim the defaults below it', async () => {
    const loaded = await loadConfig({
      plugins: FIRST_PARTY,
      cwd: workspace({}),
      env: { DIFY_BASE_URL: 'https://d.example.com' },
      overrides: { storage: {}, logging: { level: undefined } },
    });
    expect(loaded.sources.get('storage.type')).toBe('default');
    expect(loaded.sources.get('logging.level')).toBe('default');
  });

  it('lists a source for every key of the configuration', async () => {
    const loaded = await loadConfig({ plugins: FIRST_PARTY, cwd: workspace(all), file: 'config.yaml', env: {} });
    expect(loaded.sources.size).toBeGreaterThan(20);
    expect([...loaded.sources.keys()]).toContain('jobs.0.window.overlapMinutes');
    expect([...loaded.sources.keys()]).toContain('jobs.0.outputFormat');
    expect([...loaded.sources.keys()].some((key) => key.startsWith('profiles'))).toBe(false);
  });

  it('replaces lists instead of merging them, and drops a key set to null', async () => {
    const cwd = workspace({
      'config.yaml': `${FILE}
jobs:
  - name: a
    outputFormat: [json, csv]
  - name: b
notification:
  email: { host: smtp.example.com, to: [ops@example.com] }
`.replace(
        'profiles:\n  prod:\n',
        'profiles:\n  prod:\n    jobs: [{ name: only }]\n    notification: { email: null }\n',
      ),
    });
    const loaded = await loadConfig({ plugins: FIRST_PARTY, cwd, file: 'config.yaml', profile: 'prod', env: {} });
    expect(loaded.config.jobs.map((job) => job.name)).toEqual(['only']);
    expect(loaded.sources.get('jobs.0.name')).toBe('profile');
    expect(loaded.sources.has('jobs.1.name')).toBe(false);
    expect(loaded.config.notification.email).toBeUndefined();
  });
});

describe('profiles', () => {
  const file = `${FILE}
profile: prod
`;

  it('come from the option, else DIFY_LOGS_PROFILE, else the file', async () => {
    const cwd = workspace({
      'config.yaml': file.replace('profiles:\n', 'profiles:\n  staging:\n    logging: { level: trace }\n'),
    });
    expect((await loadConfig({ plugins: FIRST_PARTY, cwd, file: 'config.yaml', env: {} })).config.logging.level).toBe(
      'error',
    );
    const fromEnv = await loadConfig({
      plugins: FIRST_PARTY,
      cwd,
      file: 'config.yaml',
      env: { DIFY_LOGS_PROFILE: 'staging' },
    });
    expect([fromEnv.profile, fromEnv.config.logging.level, fromEnv.sources.get('logging.level')]).toEqual([
      'staging',
      'trace',
      'profile',
    ]);
    const fromOption = await loadConfig({
      plugins: FIRST_PARTY,
      cwd,
      file: 'config.yaml',
      profile: 'prod',
      env: { DIFY_LOGS_PROFILE: 'staging' },
    });
    expect(fromOption.profile).toBe('prod');
    expect(fromOption.config).not.toHaveProperty('profiles');
    expect(fromOption.config).not.toHaveProperty('profile');
  });

  it('an unknown profile is an error naming `profile`', async () => {
    const cwd = workspace({ 'config.yaml': FILE });
    const error = await loadError({ cwd, file: 'config.yaml', profile: 'qa', env: {} });
    expect(error.key).toBe('profile');
    expect(error.message).toContain('"qa" is not a profile');
    expect(error.message).toContain('defined: prod');
    expect((await loadError({ cwd, profile: 'qa', env: { DIFY_BASE_URL: 'https://d.example.com' } })).key).toBe(
      'profile',
    );
  });

  it('unknown keys in any profile are named with the profile', async () => {
    const cwd = workspace({
      'config.yaml': FILE.replace(
        'profiles:\n',
        'profiles:\n  staging:\n    dify: { baseURL: https://x.example.com }\n',
      ),
    });
    const error = await loadError({ cwd, file: 'config.yaml', env: {} });
    expect(error.key).toBe('profiles.staging.dify.baseURL');
    expect(error.message).toMatch(/^profiles\.staging\.dify\.baseURL: unknown key \(expected one of: baseUrl, apiKey/);
  });

  it('an invalid value of the selected profile says it came from the profile', async () => {
    const cwd = workspace({ 'config.yaml': FILE.replace('level: error', 'level: loud') });
    const error = await loadError({ cwd, file: 'config.yaml', profile: 'prod', env: {} });
    expect(error.key).toBe('logging.level');
    expect(error.message).toContain('got "loud" (from profile "prod")');
  });
});

describe("the original tool's environment variables", () => {
  const legacy = {
    DIFY_BASE_URL: 'https://dify.example.com',
    DIFY_API_TOKEN: 'app-legacy-token',
    DIFY_APP_ID: 'app-legacy',
    OUTPUT_BASE_DIR: './outputs',
    STORAGE_TYPE: 'LOCAL',
    NOTIFICATION_ENABLED: 'yes',
    NOTIFICATION_TYPE: 'dingtalk,wechat',
    SMTP_HOST: 'smtp.example.com',
    SMTP_PORT: '465',
    SMTP_TO: 'a@example.com,b@example.com',
    DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=ding-token',
    DINGTALK_SECRET: 'SEC-ding',
    WECOM_WEBHOOK: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wecom-key',
    LOG_LEVEL: 'INFO',
    LOG_DIR: './logs',
    LOG_RETENTION_DAYS: '14',
    OSS_ENDPOINT: 'oss-cn-hangzhou.aliyuncs.com',
    OSS_ACCESS_KEY_ID: 'oss-id',
    OSS_ACCESS_KEY_SECRET: 'oss-secret',
    OSS_BUCKET_NAME: 'bucket',
  };

  it('alone give a runnable configuration with one job "default" for DIFY_APP_ID', async () => {
    const loaded = await loadConfig({ plugins: FIRST_PARTY, cwd: workspace({}), env: legacy });
    const { config } = loaded;
    expect(loaded.file).toBeUndefined();
    expect(config.dify).toEqual({
      baseUrl: 'https://dify.example.com',
      apiKey: 'app-legacy-token',
      appId: 'app-legacy',
      timeoutMs: 30_000,
      retries: 6,
    });
    expect(config.jobs).toHaveLength(1);
    expect(config.jobs[0]).toMatchObject({ name: 'default', apps: ['app-legacy'], window: { mode: 'incremental' } });
    expect(config.storage).toMatchObject({
      type: 'local',
      baseDir: './outputs',
      oss: {
        endpoint: 'oss-cn-hangzhou.aliyuncs.com',
        accessKeyId: 'oss-id',
        accessKeySecret: 'oss-secret',
        bucket: 'bucket',
      },
    });
    expect(config.notification).toMatchObject({
      enabled: true,
      type: ['dingtalk', 'wecom'],
      email: { host: 'smtp.example.com', port: 465, to: ['a@example.com', 'b@example.com'] },
      dingtalk: { webhook: legacy.DINGTALK_WEBHOOK, secret: 'SEC-ding' },
      wecom: { webhook: legacy.WECOM_WEBHOOK },
    });
    expect(config.logging).toEqual({ level: 'info', dir: './logs', retentionDays: 14 });
    expect(loaded.sources.get('dify.apiKey')).toBe('env');
    expect(loaded.sources.get('jobs.0.apps')).toBe('default');
    expect(loaded.secrets).toEqual(
      expect.arrayContaining([
        'app-legacy-token',
        'SEC-ding',
        'oss-secret',
        legacy.DINGTALK_WEBHOOK,
        legacy.WECOM_WEBHOOK,
      ]),
    );
  });

  it('map console and admin credentials', async () => {
    const console = await loadConfig({
      plugins: FIRST_PARTY,
      cwd: workspace({}),
      env: {
        DIFY_BASE_URL: 'https://d.example.com',
        DIFY_CONSOLE_EMAIL: 'me@example.com',
        DIFY_CONSOLE_PASSWORD: ' pass word ',
      },
    });
    expect(console.config.dify.console).toEqual({ email: 'me@example.com', password: ' pass word ' });
    expect(console.config.jobs[0]?.apps).toBeUndefined();
    const admin = await loadConfig({
      plugins: FIRST_PARTY,
      cwd: workspace({}),
      env: { DIFY_BASE_URL: 'https://d.example.com', DIFY_ADMIN_API_KEY: 'admin-key', DIFY_WORKSPACE_ID: 'ws-1' },
    });
    expect(admin.config.dify.admin).toEqual({ apiKey: 'admin-key', workspaceId: 'ws-1' });
  });

  it('map the Service and Console API addresses, given apart from the base URL', async () => {
    const env = {
      DIFY_BASE_URL: 'https://cloud.dify.ai',
      DIFY_SERVICE_API_URL: 'https://api.dify.ai/v1',
      DIFY_CONSOLE_API_URL: 'https://cloud.dify.ai',
    };
    const loaded = await loadConfig({ plugins: FIRST_PARTY, cwd: workspace({}), env });
    expect(loaded.config.dify).toMatchObject({
      serviceApiUrl: 'https://api.dify.ai/v1',
      consoleApiUrl: 'https://cloud.dify.ai',
    });
  });

  it('are read from .env too, with the environment winning; empty values count as unset', async () => {
    const cwd = workspace({ '.env': 'DIFY_BASE_URL=https://dotenv.example.com\nDIFY_APP_ID=app-dotenv\nLOG_DIR=\n' });
    const loaded = await loadConfig({ plugins: FIRST_PARTY, cwd, env: { DIFY_APP_ID: 'app-env', LOG_DIR: '' } });
    expect(loaded.config.dify.baseUrl).toBe('https://dotenv.example.com');
    expect(loaded.sources.get('dify.baseUrl')).toBe('.env');
    expect(loaded.config.dify.appId).toBe('app-env');
    expect(loaded.config.logging.dir).toBeUndefined();
  });

  it('a bad value names the key and the variable it came from', async () => {
    const error = await loadError({
      cwd: workspace({}),
      env: { DIFY_BASE_URL: 'dify.example.com', SMTP_HOST: 'h', SMTP_TO: 'a@b', SMTP_PORT: 'smtp' },
    });
    expect(error.key).toBe('dify.baseUrl');
    expect(error.message).toContain(
      'dify.baseUrl: expected a URL (http or https), got ' +
        '"dify.example.com" (from the environment variable DIFY_BASE_URL)',
    );
    expect(error.message).toContain(
      'notification.email.port: expected a number, got "smtp" (from the environment variable SMTP_PORT)',
    );
    const missing = await loadError({ cwd: workspace({}), env: {} });
    expect(missing.message).toBe(
      'dify.baseUrl: is required (expected a string) (set it in the configuration file or DIFY_BASE_URL)',
    );
  });

  it('a named .env file must exist', async () => {
    const error = await loadError({ cwd: workspace({}), envFile: 'missing.env', env: {} });
    expect(error.message).toContain('cannot read the .env file (ENOENT)');
  });
});

describe('configuration files', () => {
  it('reads JSON by extension, and apps default to the listed apps', async () => {
    const cwd = workspace({
      'config.json': JSON.stringify({
        dify: { baseUrl: 'https://d.example.com' },
        apps: [
          { id: 'a', apiKey: 'app-a' },
          { id: 'b', apiKey: 'app-b' },
        ],
        jobs: [{ name: 'one' }, { name: 'two', apps: ['b'] }],
      }),
    });
    const { config } = await loadConfig({ plugins: FIRST_PARTY, cwd, file: 'config.json', env: {} });
    expect(config.jobs.map((job) => job.apps)).toEqual([['a', 'b'], ['b']]);
  });

  it('a YAML syntax error names the file and the line', async () => {
    const cwd = workspace({
      'config.yaml': 'dify:\n  baseUrl: https://d.example.com\n  apiKey: "app-unclosed\nlogging: {\n',
    });
    const error = await loadError({ cwd, file: 'config.yaml', env: {} });
    expect(error.key).toBe(join(cwd, 'config.yaml'));
    expect(error.message).toMatch(/config\.yaml: is not valid YAML at line \d+, column \d+: /);
    expect(error.message).not.toContain('app-unclosed');
  });

  it('a JSON syntax error names the file and the line, without quoting the source', async () => {
    const cwd = workspace({
      'config.json': '{\n  "dify": {\n    "apiKey": "app-secret-value",\n  }\n}',
      'token.json': '{ "dify": { "apiKey": app-secret-value } }',
    });
    const error = await loadError({ cwd, file: 'config.json', env: {} });
    expect(error.message).toBe(
      `${join(cwd, 'config.json')}: is not valid JSON at line 4, column 3: Expected double-quoted property name`,
    );
    const unquoted = await loadError({ cwd, file: 'token.json', env: {} });
    expect(unquoted.message).toBe(`${join(cwd, 'token.json')}: is not valid JSON: unexpected token`);
    expect(unquoted.message).not.toContain('app-secret');
  });

  it('a missing file and a top level that is not a mapping are errors naming the file', async () => {
    const cwd = workspace({ 'list.yaml': '- a\n- b\n' });
    expect((await loadError({ cwd, file: 'nope.yaml', env: {} })).message).toBe(
      `${join(cwd, 'nope.yaml')}: cannot read the configuration file (ENOENT)`,
    );
    expect((await loadError({ cwd, file: 'list.yaml', env: {} })).message).toContain(
      'expected a mapping of configuration keys at the top level',
    );
  });

  it('an invalid value says which file it came from', async () => {
    const cwd = workspace({
      'config.yaml': 'dify: { baseUrl: https://d.example.com }\njobs:\n  - name: a\n    timezone: Mars/Base\n',
    });
    const error = await loadError({ cwd, file: 'config.yaml', env: {} });
    expect(error.message).toBe(
      `jobs.0.timezone: "Mars/Base" is not an IANA time zone (e.g. UTC, ` +
        `Europe/Berlin, Asia/Shanghai) (from ${join(cwd, 'config.yaml')})`,
    );
  });
});

describe('${env:} and ${file:} references', () => {
  it('resolve anywhere in a string value; $${ is a literal ${', async () => {
    const cwd = workspace({
      'token.txt': 'app-from-file\n',
      'config.yaml': [
        'dify:',
        '  baseUrl: https://${env:DIFY_HOST}/v1',
        '  apiKey: ${file:token.txt}',
        '  console: { email: "${env:CONSOLE_USER}", password: "pa$${not-a-reference}" }',
        'jobs:',
        '  - name: a',
        '    keyword: "${env:EMPTY}"',
      ].join('\n'),
    });
    const loaded = await loadConfig({
      plugins: FIRST_PARTY,
      cwd,
      file: 'config.yaml',
      env: { DIFY_HOST: 'dify.example.com', CONSOLE_USER: 'me@example.com', EMPTY: '' },
    });
    expect(loaded.config.dify).toMatchObject({
      baseUrl: 'https://dify.example.com/v1',
      apiKey: 'app-from-file',
      console: { email: 'me@example.com', password: 'pa${not-a-reference}' },
    });
    expect(loaded.config.jobs[0]?.keyword).toBe('');
    expect(loaded.secrets).toContain('app-from-file');
  });

  it('read absolute ${file:} paths and variables from .env', async () => {
    const secrets = workspace({ password: 'from-absolute-file\n\n' });
    const cwd = workspace({
      '.env': 'HOST=dotenv.example.com\n',
      'config.yaml':
        `dify:\n  baseUrl: https://\${env:HOST}\n  console:\n` +
        `    email: me@example.com\n    password: \${file:${join(secrets, 'password')}}\n`,
    });
    const { config } = await loadConfig({ plugins: FIRST_PARTY, cwd, file: 'config.yaml', env: {} });
    expect(config.dify.baseUrl).toBe('https://dotenv.example.com');
    expect(config.dify.console?.password).toBe('from-absolute-file\n');
  });

  it('an unset ${env:X} names the key and X', async () => {
    const cwd = workspace({ 'config.yaml': 'dify:\n  baseUrl: https://d.example.com\n  apiKey: ${env:MY_DIFY_KEY}\n' });
    const error = await loadError({ cwd, file: 'config.yaml', env: {} });
    expect(error.key).toBe('dify.apiKey');
    expect(error.message).toBe(
      'dify.apiKey: refers to ${env:MY_DIFY_KEY}, but the environment variable MY_DIFY_KEY is not set',
    );
  });

  it('an unreadable ${file:} names the key and the path', async () => {
    const cwd = workspace({
      'config.yaml': 'dify:\n  baseUrl: https://d.example.com\n  apiKey: ${file:secrets/key.txt}\n',
    });
    const error = await loadError({ cwd, file: 'config.yaml', env: {} });
    expect(error.key).toBe('dify.apiKey');
    expect(error.message).toBe(
      `dify.apiKey: cannot read \${file:secrets/key.txt} (${join(cwd, 'secrets/key.txt')}): ENOENT`,
    );
  });

  it('in a profile, resolve only when it is selected, and errors name the profile key', async () => {
    const cwd = workspace({
      'config.yaml':
        'dify: { baseUrl: https://d.example.com }\nprofiles:\n  prod:\n    dify: { apiKey: "${env:PROD_KEY}" }\n',
    });
    expect(
      (await loadConfig({ plugins: FIRST_PARTY, cwd, file: 'config.yaml', env: {} })).config.dify.apiKey,
    ).toBeUndefined();
    expect((await loadError({ cwd, file: 'config.yaml', profile: 'prod', env: {} })).key).toBe(
      'profiles.prod.dify.apiKey',
    );
    expect(
      (
        await loadConfig({
          plugins: FIRST_PARTY,
          cwd,
          file: 'config.yaml',
          profile: 'prod',
          env: { PROD_KEY: 'app-prod' },
        })
      ).config.dify.apiKey,
    ).toBe('app-prod');
  });
});

describe('docs/configuration.md', () => {
  it('its annotated example loads', async () => {
    const markdown = readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(markdown)?.[1];
    expect(example).toBeDefined();
    const keyText = generateSecretKey();
    const cwd = workspace({
      'dify-logs.yaml': example!.replace('enc:v1:Xq2m…', encryptSecret('app-summariser', parseSecretKey(keyText))),
    });
    const loaded = await loadConfig({
      plugins: FIRST_PARTY,
      cwd,
      file: 'dify-logs.yaml',
      env: { DIFY_API_TOKEN: 'app-token', DIFY_LOGS_SECRET_KEY: keyText },
    });
    expect(loaded.profile).toBe('dev');
    expect(loaded.config.jobs.map((job) => job.name)).toEqual(['daily_report', 'hourly']);
    expect(loaded.config.jobs[1]?.apps).toEqual(['3f6c0a52-ticket-triage', '81d2e4f0-summariser']);
    expect(loaded.config.apps?.[1]?.apiKey).toBe('app-summariser');
    expect(loaded.config.storage.baseDir).toBe('./outputs-dev');
    expect(loaded.config.state.path).toBe('./outputs-dev/.dify-logs-state.json');
    const prod = await loadConfig({
      plugins: FIRST_PARTY,
      cwd,
      file: 'dify-logs.yaml',
      profile: 'prod',
      env: { DIFY_API_TOKEN: 'app-token', DIFY_LOGS_SECRET_KEY: keyText },
    });
    expect(prod.config.dify.baseUrl).toBe('https://dify.internal.example.com');
    expect(prod.config.notification.type).toEqual(['dingtalk']);
  });
});
