import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '../../src/index.js';

export interface WebhookTestServer {
  /** With a token in the query, as chat webhooks have. */
  url: string;
  /** Requests that passed verification, in order. */
  accepted: Array<{ headers: IncomingHttpHeaders; body: string }>;
  /** Statuses of refused requests, with the reason. */
  refused: Array<{ status: number; reason: string }>;
  /** Answer accepted requests with this status (default 200). */
  status: number;
  /** Wait this long before answering. */
  delayMs: number;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A receiving endpoint on 127.0.0.1 that does what the README asks of integrators: verify the signature
 * and timestamp with `verifyWebhookSignature` (401 otherwise) and refuse a signature it has seen (409).
 */
export async function startWebhookServer(options: { secret?: string } = {}): Promise<WebhookTestServer> {
  const seen = new Set<string>();
  const state: WebhookTestServer = {
    url: '',
    accepted: [],
    refused: [],
    status: 200,
    delayMs: 0,
    reset() {
      state.accepted.length = 0;
      state.refused.length = 0;
      state.status = 200;
      state.delayMs = 0;
    },
    close: async () => {},
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const refuse = (status: number, reason: string) => {
        state.refused.push({ status, reason });
        response.writeHead(status).end(reason);
      };
      if (options.secret !== undefined) {
        const signature = request.headers['x-dify-logs-signature'];
        const timestamp = request.headers['x-dify-logs-timestamp'];
        const valid = verifyWebhookSignature({
          secret: options.secret,
          timestamp: String(timestamp),
          signature: String(signature),
          body,
        });
        if (!valid) return refuse(401, 'bad signature');
        if (seen.has(String(signature))) return refuse(409, 'replayed');
        seen.add(String(signature));
      }
      setTimeout(() => {
        if (state.status >= 200 && state.status < 300) state.accepted.push({ headers: request.headers, body });
        response.writeHead(state.status, { 'x-request-id': `delivery-${state.accepted.length}` }).end('{}');
      }, state.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/dify-logs?token=query-token-123`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
