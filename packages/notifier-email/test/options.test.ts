import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DifyConfigError } from '@dify-logs/core';
import { sampleMessage } from '@dify-logs/core/testing';
import {
  createEmailNotifier,
  emailNotifierFromEnv,
  emailOptionsFromEnv,
  type EmailNotifierOptions,
} from '../src/index.js';
import { startSmtpServer, type TestSmtpServer } from './support/smtp-test-server.js';

const valid: EmailNotifierOptions = { host: 'smtp.example.com', from: 'dify-logs@example.com', to: 'ops@example.com' };

function configKey(options: EmailNotifierOptions): string | undefined {
  try {
    createEmailNotifier(options);
  } catch (error) {
    expect(DifyConfigError.isInstance(error)).toBe(true);
    expect((error as DifyConfigError).isRetryable).toBe(false);
    return (error as DifyConfigError).key;
  }
  return undefined;
}

describe('email notifier options', () => {
  it('names the missing or invalid key', () => {
    expect(configKey({ ...valid, host: '' })).toBe('notification.email.host');
    expect(configKey({ ...valid, from: ' ' })).toBe('notification.email.from');
    expect(configKey({ ...valid, to: '' })).toBe('notification.email.to');
    expect(configKey({ ...valid, to: [' , '] })).toBe('notification.email.to');
    expect(configKey({ ...valid, to: 'ops' })).toBe('notification.email.to');
    expect(configKey({ ...valid, cc: 'nobody' })).toBe('notification.email.cc');
    expect(configKey({ ...valid, port: 70_000 })).toBe('notification.email.port');
    expect(configKey({ ...valid, user: 'reporter' })).toBe('notification.email.password');
    expect(configKey({ ...valid, secure: true, requireTLS: true })).toBe('notification.email.requireTLS');
    expect(configKey({ ...valid, attachReports: { maxBytes: 0 } })).toBe('notification.email.attachReports.maxBytes');
  });

  it('does no I/O when created, and never puts the password in a config error', () => {
    const notifier = createEmailNotifier({
      ...valid,
      host: 'unreachable.invalid',
      user: 'reporter',
      password: 'hunter2-password',
    });
    expect(notifier).toMatchObject({ name: 'email', capabilities: { markdown: false } });
    try {
      createEmailNotifier({ ...valid, from: '', user: 'reporter', password: 'hunter2-password' });
    } catch (error) {
      expect(String(error)).not.toContain('hunter2-password');
    }
  });

  it('maps the SMTP_* variables: port 465 is implicit TLS, other ports STARTTLS when offered', () => {
    const env = {
      SMTP_HOST: ' smtp.example.com ',
      SMTP_PORT: '465',
      SMTP_USER: 'reporter@example.com',
      SMTP_PASSWORD: ' pass word ',
      SMTP_TO: 'a@example.com, b@example.com',
    };
    expect(emailOptionsFromEnv(env)).toEqual({
      host: 'smtp.example.com',
      port: 465,
      secure: true,
      user: 'reporter@example.com',
      password: ' pass word ',
      from: 'reporter@example.com',
      to: 'a@example.com, b@example.com',
    });
    expect(emailOptionsFromEnv({ ...env, SMTP_PORT: '587', SMTP_FROM: 'bot@example.com' })).toMatchObject({
      port: 587,
      secure: false,
      from: 'bot@example.com',
    });
    expect(emailOptionsFromEnv({ ...env, SMTP_PORT: undefined })).toMatchObject({ secure: false });
    expect(() => emailOptionsFromEnv({ ...env, SMTP_PORT: 'smtp' })).toThrow(/notification\.email\.port/);
    expect(() => emailNotifierFromEnv({ SMTP_TO: 'a@example.com', SMTP_FROM: 'bot@example.com' })).toThrow(
      /notification\.email\.host/,
    );
    expect(() => emailNotifierFromEnv({ SMTP_HOST: 'smtp.example.com', SMTP_FROM: 'bot@example.com' })).toThrow(
      /notification\.email\.to/,
    );
  });
});

describe('emailNotifierFromEnv against a server', () => {
  let server: TestSmtpServer;
  beforeAll(async () => {
    server = await startSmtpServer({
      starttls: true,
      credentials: { user: 'reporter@example.com', password: 'S3cret-smtp-pass!' },
    });
  });
  afterAll(() => server.close());

  it('logs in over STARTTLS because the server offers it', async () => {
    const env = {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(server.port),
      SMTP_USER: 'reporter@example.com',
      SMTP_PASSWORD: 'S3cret-smtp-pass!',
      SMTP_TO: 'ops@example.com',
    };
    const notifier = emailNotifierFromEnv(env, { tls: { rejectUnauthorized: false } });
    await notifier.send(sampleMessage());
    await notifier.close?.();
    expect(server.sessions).toEqual([{ secure: true, user: 'reporter@example.com' }]);
    expect(server.recipients).toEqual([['ops@example.com']]);
  });
});
