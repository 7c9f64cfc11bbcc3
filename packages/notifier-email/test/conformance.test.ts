import * as vitest from 'vitest';
import { afterAll, beforeAll } from 'vitest';
import { testNotifier } from '@dify-logs/core/testing';
import { createEmailNotifier } from '../src/index.js';
import { startSmtpServer, type TestSmtpServer } from './support/smtp-test-server.js';

let server: TestSmtpServer;
beforeAll(async () => {
  server = await startSmtpServer();
});
afterAll(() => server.close());
testNotifier(vitest, {
  name: 'email',
  create: () => {
    server.reset();
    return createEmailNotifier({
      host: '127.0.0.1',
      port: server.port,
      from: 'dify-logs@example.com',
      to: 'ops@example.com',
    });
  },
  received: () => server.messages.map((mail) => mail.text ?? ''),
});
