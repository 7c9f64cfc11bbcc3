import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterEach } from 'vitest';

/**
 * Every output channel of a run, captured for the secret scans: files written (gzip opened), webhook
 * bodies, and e-mails (raw and decoded: a secret in a base64 or quoted-printable part is still a leak).
 */

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map((name) => join(dir, String(name)))
    .filter((path) => statSync(path).isFile());
}

/** The text of every file under `dir` (gzip inflated), but `except`. */
export function fileTexts(dir: string, except: string[] = []): Array<{ path: string; text: string }> {
  return filesUnder(dir)
    .filter((path) => !except.includes(path))
    .map((path) => {
      const bytes = readFileSync(path);
      return { path, text: (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8') };
    });
}

/** A chat/webhook receiver: answers as WeCom, DingTalk, Feishu and Slack do, 204 for the generic webhook. */
export async function webhookReceiver(): Promise<{ url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      bodies.push(body);
      const path = request.url ?? '';
      if (path.startsWith('/cgi-bin/webhook/send') || path.startsWith('/robot/send'))
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
      else if (path.startsWith('/open-apis/bot'))
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"code":0,"msg":"success"}');
      else if (path.startsWith('/services/')) response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      else response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

/** An SMTP server (smtp-server) taking AUTH PLAIN/LOGIN without TLS; keeps each message raw and decoded. */
export async function smtpCapture(credentials: {
  user: string;
  password: string;
}): Promise<{ port: number; messages: string[]; recipients: string[][]; headers: Array<Map<string, unknown>> }> {
  const messages: string[] = [];
  const recipients: string[][] = [];
  const headers: Array<Map<string, unknown>> = [];
  const server = new SMTPServer({
    logger: false,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.password)
        return callback(null, { user: auth.username });
      return callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (mail) => {
            const attachments = mail.attachments.map((attachment) => attachment.content.toString('utf8'));
            recipients.push(session.envelope.rcptTo.map((item) => item.address));
            headers.push(mail.headers);
            messages.push(
              [
                raw.toString('utf8'),
                mail.subject ?? '',
                mail.text ?? '',
                typeof mail.html === 'string' ? mail.html : '',
                ...attachments,
              ].join('\n'),
            );
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { port: (server.server.address() as AddressInfo).port, messages, recipients, headers };
}

/** The secrets found in any of `outputs`, shown by their first characters only. */
export function leaks(secrets: string[], outputs: Array<{ channel: string; text: string }>): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    for (const { channel, text } of outputs)
      if (text.includes(secret)) found.push(`${secret.slice(0, 6)}… in ${channel}`);
  }
  return found;
}
