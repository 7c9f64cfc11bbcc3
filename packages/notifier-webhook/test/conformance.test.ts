import * as vitest from 'vitest';
import { afterAll, beforeAll } from 'vitest';
import { testNotifier } from '@dify-logs/core/testing';
import { createWebhookNotifier } from '../src/index.js';
import { startWebhookServer, type WebhookTestServer } from './support/webhook-test-server.js';

let server: WebhookTestServer;
beforeAll(async () => {
  server = await startWebhookServer({ secret: 'conformance-secret' });
});
afterAll(() => server.close());
testNotifier(vitest, {
  name: 'webhook',
  create: () => {
    server.reset();
    return createWebhookNotifier({ url: server.url, secret: 'conformance-secret' });
  },
  received: () => server.accepted.map((request) => request.body),
});
