import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, sim, tempDir } from './helpers.js';
import { fileTexts, leaks, smtpCapture, webhookReceiver } from './secret-channels.js';

/**
 * The secret scan of secret-scan.test.ts, over every channel a run writes to: debug log files, every
 * report format, the archive, the state file, stdout/stderr, and the notification bodies received by a
 * local SMTP server and a local webhook receiver (e-mail, DingTalk, WeCom, Feishu, Slack, generic
 * webhook). Planted: Service API keys, the console password (its session cookies and CSRF token come
 * from the simulator), the SMTP password, webhook tokens and signing secrets, S3 keys and database
 * passwords, including in the failing runs where they are most likely to end up in a message.
 */

const PLANTED = {
  smtpPassword: 'smtp-pass-9f2c1e',
  dingtalkToken: 'dingtalk-token-5b7a',
  dingtalkSecret: 'SECdingtalk-secret-88e1',
  wecomKey: 'wecom-key-31d6',
  feishuToken: 'feishu-token-a41c',
  feishuSecret: 'feishu-secret-77b0',
  slackPath: 'T000/B000/slack-secret-6e2f',
  webhookSecret: 'hook-secret-0c93',
  webhookToken: 'hook-token-4d18',
  s3Secret: 's3-secret-access-key-2b9e',
  s3UrlPassword: 's3-url-password-51aa',
  sinkPassword: 'sink-db-password-e3f7',
  wrongPassword: 'not-the-password-19c4',
};

function yaml(lines: Array<string | false>): string {
  return `${lines.filter((line): line is string => line !== false).join('\n')}\n`;
}

/** The notification section sending to every channel at once. */
function notificationLines(webhookUrl: string, smtpPort: number): string[] {
  return [
    'notification:',
    '  enabled: true',
    '  type: [console, email, dingtalk, wecom, feishu, slack, webhook]',
    `  email: { host: 127.0.0.1, port: ${smtpPort}, user: reports, password: ` +
      `"\${env:SMTP_PASSWORD}", from: reports@example.com, to: [ops@example.com] }`,
    `  dingtalk: { webhook: "${webhookUrl}/robot/send?access_token=` +
      `${PLANTED.dingtalkToken}", secret: ${PLANTED.dingtalkSecret} }`,
    `  wecom: { webhook: "${webhookUrl}/cgi-bin/webhook/send?key=${PLANTED.wecomKey}" }`,
    `  feishu: { webhook: "${webhookUrl}/open-apis/bot/v2/hook/` +
      `${PLANTED.feishuToken}", secret: ${PLANTED.feishuSecret} }`,
    `  slack: { webhook: "${webhookUrl}/services/${PLANTED.slackPath}" }`,
    `  webhook: { url: "${webhookUrl}/hooks/dify?token=${PLANTED.webhookToken}", secret: ${PLANTED.webhookSecret} }`,
  ];
}

describe('secrets never leave the process, on any channel', () => {
  it('a successful run with every report format, every notifier and debug logs writes no secret anywhere', async () => {
    const simulator = await sim({
      version: '1.13.3',
      runsPerApp: 40,
      runningRuns: 2,
      now: new Date(Date.now() - 60_000).toISOString(),
      days: 1,
    });
    const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
    const { url, bodies } = await webhookReceiver();
    const smtp = await smtpCapture({ user: 'reports', password: PLANTED.smtpPassword });
    const dir = await tempDir();
    const config = join(dir, 'dify-logs.yaml');
    await writeFile(
      config,
      yaml([
        'dify:',
        `  baseUrl: ${simulator.url}`,
        `  console: { email: ${simulator.account.email}, password: "\${env:CONSOLE_PASSWORD}" }`,
        'apps:',
        `  - id: ${app.id}`,
        '    apiKey: ${env:APP_KEY}',
        'jobs:',
        '  - name: nightly',
        '    withNodeExecutions: true',
        '    outputFormat: [json, markdown, csv, ndjson, html]',
        '    notifyOn: [success, failure, report-ready]',
        'storage: { baseDir: ./outputs }',
        ...notificationLines(url, smtp.port),
        'logging: { level: debug, dir: ./logs }',
      ]),
    );
    const env = {
      CONSOLE_PASSWORD: simulator.account.password,
      APP_KEY: app.apiKey,
      SMTP_PASSWORD: PLANTED.smtpPassword,
    };

    const run = await cli(['run', '--config', config], { env, cwd: dir });
    expect(run.code, run.stderr + run.stdout).toBe(0);
    for (const channel of ['email', 'dingtalk', 'wecom', 'feishu', 'slack', 'webhook'])
      expect(run.stdout).toMatch(new RegExp(`notify +${channel}: delivered`));
    expect(smtp.messages.length).toBeGreaterThan(0);
    expect(bodies.length).toBeGreaterThanOrEqual(5);

    const files = fileTexts(dir, [config]);
    for (const extension of ['.json', '.md', '.csv', '.html', '.ndjson.gz', '.log', '.dify-logs-state.json'])
      expect(
        files.some(({ path }) => path.endsWith(extension)),
        extension,
      ).toBe(true);
    const outputs = [
      { channel: 'stdout', text: run.stdout },
      { channel: 'stderr', text: run.stderr },
      ...files.map(({ path, text }) => ({ channel: path.slice(dir.length), text })),
      ...bodies.map((text, index) => ({ channel: `webhook body ${index}`, text })),
      ...smtp.messages.map((text, index) => ({ channel: `e-mail ${index}`, text })),
    ];
    const secrets = [app.apiKey, simulator.account.password, ...simulator.issuedTokens(), ...Object.values(PLANTED)];
    expect(simulator.issuedTokens().length).toBeGreaterThanOrEqual(3);
    expect(leaks(secrets, outputs)).toEqual([]);
  });

  it(
    'failing runs (wrong password, revoked key, unreachable S3 with keys in the URL, ' +
      'unreachable sink database) put no secret in errors, logs, state or failure notifications',
    async () => {
      const simulator = await sim({
        version: '1.13.3',
        runsPerApp: 20,
        runningRuns: 0,
        now: new Date(Date.now() - 60_000).toISOString(),
        days: 1,
      });
      const [first, second] = simulator.apps.filter((candidate) => candidate.mode === 'workflow');
      simulator.revokeApiKey(second!.id);
      const { url, bodies } = await webhookReceiver();
      const smtp = await smtpCapture({ user: 'reports', password: PLANTED.smtpPassword });
      const env = {
        SMTP_PASSWORD: PLANTED.smtpPassword,
        AWS_ACCESS_KEY_ID: 'AKIAFAILINGRUN0000',
        AWS_SECRET_ACCESS_KEY: PLANTED.s3Secret,
      };
      const scenarios: Array<{ name: string; lines: Array<string | false> }> = [
        {
          name: 'wrong console password',
          lines: [
            `  console: { email: ${simulator.account.email}, password: ${PLANTED.wrongPassword} }`,
            'apps:',
            `  - id: ${first!.id}`,
          ],
        },
        { name: 'revoked key', lines: ['apps:', `  - id: ${second!.id}`, `    apiKey: ${second!.apiKey}`] },
        {
          name: 'unreachable S3 with credentials in the endpoint URL',
          lines: [
            'apps:',
            `  - id: ${first!.id}`,
            `    apiKey: ${first!.apiKey}`,
            'storage:',
            '  type: s3',
            `  s3: { bucket: reports, endpoint: "http://AKIAURL:${PLANTED.s3UrlPassword}` +
              `@127.0.0.1:9", forcePathStyle: true, region: us-east-1, accessKeyId: ` +
              `AKIAFAILINGRUN0000, secretAccessKey: ${PLANTED.s3Secret} }`,
          ],
        },
        {
          name: 'unreachable S3 with keys',
          lines: [
            'apps:',
            `  - id: ${first!.id}`,
            `    apiKey: ${first!.apiKey}`,
            'storage:',
            '  type: s3',
            `  s3: { bucket: reports, endpoint: "http://127.0.0.1:9", forcePathStyle: true, region: ` +
              `us-east-1, accessKeyId: AKIAFAILINGRUN0000, secretAccessKey: ${PLANTED.s3Secret} }`,
          ],
        },
        {
          name: 'unreachable sink database',
          lines: [
            'apps:',
            `  - id: ${first!.id}`,
            `    apiKey: ${first!.apiKey}`,
            `sinks: { postgres: { databaseUrl: "postgres://writer:${PLANTED.sinkPassword}@127.0.0.1:9/records" } }`,
          ],
        },
      ];
      const secrets = [first!.apiKey, second!.apiKey, simulator.account.password, ...Object.values(PLANTED)];
      for (const scenario of scenarios) {
        bodies.length = 0;
        smtp.messages.length = 0;
        const dir = await tempDir();
        const config = join(dir, 'dify-logs.yaml');
        const lines = scenario.lines;
        const storage = lines.includes('storage:') ? [] : ['storage: { baseDir: ./outputs }'];
        await writeFile(
          config,
          yaml([
            'dify:',
            `  baseUrl: ${simulator.url}`,
            ...lines,
            'jobs:',
            '  - name: nightly',
            '    notifyOn: [failure, report-ready]',
            '    outputFormat: [json, markdown]',
            ...storage,
            'state: { path: ./state.json }',
            ...notificationLines(url, smtp.port),
            'logging: { level: debug, dir: ./logs }',
          ]),
        );
        const run = await cli(['run', '--config', config], { env, cwd: dir });
        expect(run.code, `${scenario.name}: ${run.stderr}`).not.toBe(0);
        const outputs = [
          { channel: 'stdout', text: run.stdout },
          { channel: 'stderr', text: run.stderr },
          ...fileTexts(dir, [config]).map(({ path, text }) => ({ channel: path.slice(dir.length), text })),
          ...bodies.map((text, index) => ({ channel: `webhook body ${index}`, text })),
          ...smtp.messages.map((text, index) => ({ channel: `e-mail ${index}`, text })),
        ];
        // The failure was told somewhere, with a reason, but without the secret.
        expect(outputs.map(({ text }) => text).join('\n'), scenario.name).toMatch(
          /fail|error|refused|ECONNREFUSED|401|unauthor|credentials/i,
        );
        expect(leaks(secrets, outputs), scenario.name).toEqual([]);
        // Past configuration, every channel told of the failure or the partial report (so its body was scanned too).
        if (run.code !== 2) expect([bodies.length, smtp.messages.length], scenario.name).toEqual([5, 1]);
      }
    },
    120_000,
  );
});
