import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DifyLogsError } from '@dify-logs/core';
import { sampleMessage } from '@dify-logs/core/testing';
import { createEmailNotifier, type EmailNotifierOptions } from '../src/index.js';
import { startSmtpServer, type TestSmtpServer } from './support/smtp-test-server.js';

const credentials = { user: 'reporter@example.com', password: 'S3cret-smtp-pass!' };
const base = { host: '127.0.0.1', from: 'dify-logs@example.com', to: 'ops@example.com' };
let starttls: TestSmtpServer;
let plain: TestSmtpServer;

beforeAll(async () => {
  starttls = await startSmtpServer({ starttls: true, credentials });
  plain = await startSmtpServer();
});
afterAll(() => Promise.all([starttls.close(), plain.close()]));

async function sendError(options: EmailNotifierOptions): Promise<DifyLogsError> {
  const notifier = createEmailNotifier(options);
  try {
    await notifier.send(sampleMessage());
  } catch (error) {
    expect(DifyLogsError.isInstance(error)).toBe(true);
    return error as DifyLogsError;
  } finally {
    await notifier.close?.();
  }
  throw new Error('send resolved');
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('email notifier errors', () => {
  it('a rejected password is auth_failed, not retryable, and never shows the password', async () => {
    const error = await sendError({
      ...base,
      port: starttls.port,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      user: credentials.user,
      password: 'wrong-password-123',
    });
    expect(error.code).toBe('auth_failed');
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain('535');
    expect(error.message).not.toContain('wrong-password-123');
    expect(error.message).not.toContain(Buffer.from('wrong-password-123').toString('base64'));
    expect(starttls.messages).toHaveLength(0);
  });

  it('a refused connection is retryable', async () => {
    const probe = createServer();
    const port = await listen(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await sendError({ ...base, port, password: 'S3cret-smtp-pass!', user: 'reporter' });
    expect(error).toMatchObject({ code: 'network_error', isRetryable: true });
    expect(error.message).not.toContain('S3cret-smtp-pass!');
  });

  it('a server that never greets times out, retryably', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    const port = await listen(silent);
    const error = await sendError({ ...base, port, timeoutMs: 300 });
    expect(error).toMatchObject({ code: 'timeout', isRetryable: true });
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('a 4xx reply is retryable, a 5xx reply is not', async () => {
    const busy = await startSmtpServer({ rejectRecipient: { responseCode: 451, message: 'Try again later' } });
    const refused = await startSmtpServer({ rejectRecipient: { responseCode: 550, message: 'No such user' } });
    try {
      const transient = await sendError({ ...base, port: busy.port });
      expect(transient).toMatchObject({ code: 'smtp_451', isRetryable: true });
      expect(transient.message).toContain('451');
      const permanent = await sendError({ ...base, port: refused.port });
      expect(permanent).toMatchObject({ code: 'recipient_rejected', isRetryable: false });
      expect(permanent.message).toContain('550');
    } finally {
      await Promise.all([busy.close(), refused.close()]);
    }
  });

  it('an untrusted certificate or a missing STARTTLS under requireTLS is not retried', async () => {
    const untrusted = await sendError({ ...base, port: starttls.port, requireTLS: true, ...credentials });
    expect(untrusted).toMatchObject({ code: 'tls_failed', isRetryable: false });
    expect(untrusted.message).toContain('certificate');
    const noStarttls = await sendError({ ...base, port: plain.port, requireTLS: true });
    expect(noStarttls).toMatchObject({ code: 'tls_failed', isRetryable: false });
    expect(noStarttls.message).toContain('STARTTLS');
  });

  it('a server that wants a login the options do not give is auth_failed', async () => {
    const error = await sendError({ ...base, port: starttls.port, tls: { rejectUnauthorized: false } });
    expect(error).toMatchObject({ code: 'auth_failed', isRetryable: false });
  });
});
