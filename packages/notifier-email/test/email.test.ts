import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sampleMessage } from '@dify-logs/core/testing';
import { createTransport } from 'nodemailer';
import { createEmailNotifier } from '../src/index.js';
import { startSmtpServer, type TestSmtpServer } from './support/smtp-test-server.js';

const credentials = { user: 'reporter@example.com', password: 'S3cret-smtp-pass!' };
let plain: TestSmtpServer;
let starttls: TestSmtpServer;
let implicit: TestSmtpServer;
let folder: string;

beforeAll(async () => {
  plain = await startSmtpServer();
  starttls = await startSmtpServer({ starttls: true, credentials });
  implicit = await startSmtpServer({ secure: true, credentials });
  folder = mkdtempSync(join(tmpdir(), 'dify-logs-email-'));
});
afterAll(async () => {
  await Promise.all([plain.close(), starttls.close(), implicit.close()]);
  rmSync(folder, { recursive: true, force: true });
});

const base = { host: '127.0.0.1', from: 'Dify Logs <dify-logs@example.com>', to: 'ops@example.com, lead@example.com' };

describe('email notifier over SMTP', () => {
  it('sends a subject, recipients, an HTML summary and a plain-text alternative', async () => {
    plain.reset();
    const notifier = createEmailNotifier({
      ...base,
      port: plain.port,
      cc: ['audit@example.com'],
      subjectPrefix: '[dify-logs]',
    });
    const receipt = await notifier.send(sampleMessage({ summary: 'First paragraph.\n\nSecond paragraph.' }));
    await notifier.close?.();
    expect(receipt).toMatchObject({ notifier: 'email', id: expect.any(String) });
    const [mail] = plain.messages;
    expect(mail?.subject).toBe('[dify-logs] [INFO] Daily report: Ticket Triage 2026-03-01');
    expect(mail?.from?.text).toContain('dify-logs@example.com');
    expect(plain.recipients[0]).toEqual(['ops@example.com', 'lead@example.com', 'audit@example.com']);
    expect(mail?.cc && !Array.isArray(mail.cc) ? mail.cc.text : '').toContain('audit@example.com');
    const html = String(mail?.html);
    expect(html).toContain('<p style="margin:0 0 12px">First paragraph.</p>');
    expect(html).toContain('<p style="margin:0 0 12px">Second paragraph.</p>');
    expect(html).toMatch(/<th[^>]*>Tokens<\/th><td[^>]*>98 765<\/td>/);
    expect(html).toContain('<a href="https://reports.example.com/daily/2026-03-01.html">Report</a>');
    expect(mail?.text).toContain('[INFO] Daily report: Ticket Triage 2026-03-01');
    expect(mail?.text).toContain('- Tokens: 98 765');
    expect(mail?.attachments).toHaveLength(0);
  });

  it(
    'cannot be made to add headers or recipients: CR/LF ' + 'in a subject taken from the logs stays in the subject',
    async () => {
      plain.reset();
      const notifier = createEmailNotifier({ ...base, port: plain.port });
      await notifier.send(
        sampleMessage({ title: 'Daily report\r\nBcc: attacker@evil.example\r\nX-Injected: yes\n\nbody' }),
      );
      await notifier.close?.();
      const [mail] = plain.messages;
      expect(plain.recipients[0]).toEqual(['ops@example.com', 'lead@example.com']);
      expect(mail?.bcc).toBeUndefined();
      expect(mail?.headers.has('x-injected')).toBe(false);
      expect(mail?.subject).not.toMatch(/[\r\n]/);
      expect(mail?.subject).toContain('Bcc: attacker@evil.example');
    },
  );

  it('escapes HTML in every value', async () => {
    plain.reset();
    const notifier = createEmailNotifier({ ...base, port: plain.port });
    await notifier.send(
      sampleMessage({
        title: '<script>alert("title")</script>',
        summary: 'Summary <script>alert(1)</script> & more',
        facts: [{ label: '<b>label</b>', value: '"><img src=x onerror=alert(2)>' }],
        links: [{ label: '<i>x</i>', url: 'javascript:alert(3)' }],
      }),
    );
    const html = String(plain.messages[0]?.html);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>label');
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;');
    expect(html).toContain('Summary &lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
    expect(plain.messages[0]?.subject).toBe('[INFO] <script>alert("title")</script>');
    expect(plain.messages[0]?.text).toContain('<script>alert(1)</script>');
  });

  it('upgrades with STARTTLS and logs in with AUTH', async () => {
    starttls.reset();
    const notifier = createEmailNotifier({
      ...base,
      port: starttls.port,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      ...credentials,
    });
    await notifier.send(sampleMessage());
    await notifier.close?.();
    expect(starttls.sessions).toEqual([{ secure: true, user: credentials.user }]);
    expect(starttls.messages[0]?.subject).toContain('Daily report');
  });

  it('speaks implicit TLS with secure', async () => {
    implicit.reset();
    const notifier = createEmailNotifier({
      ...base,
      port: implicit.port,
      secure: true,
      tls: { rejectUnauthorized: false },
      ...credentials,
    });
    await notifier.send(sampleMessage());
    await notifier.close?.();
    expect(implicit.sessions).toEqual([{ secure: true, user: credentials.user }]);
  });

  it('attaches a report within maxBytes and only links one over it', async () => {
    plain.reset();
    const small = join(folder, 'daily-2026-03-01.md');
    const large = join(folder, 'daily-2026-03-01.ndjson');
    writeFileSync(small, '# Daily report\n客服工单 ✅\n');
    writeFileSync(large, 'x'.repeat(5_000));
    const notifier = createEmailNotifier({ ...base, port: plain.port, attachReports: { maxBytes: 1_000 } });
    await notifier.send(
      sampleMessage({
        links: [
          { label: 'Markdown report', url: small },
          { label: 'Data', url: large },
          { label: 'Dashboard', url: 'https://reports.example.com/daily' },
        ],
      }),
    );
    const mail = plain.messages[0];
    expect(mail?.attachments.map((attachment) => attachment.filename)).toEqual(['daily-2026-03-01.md']);
    expect(mail?.attachments[0]?.content.toString('utf8')).toBe('# Daily report\n客服工单 ✅\n');
    expect(String(mail?.html)).toContain(`Data: <code>${large}</code>`);
    expect(String(mail?.html)).toContain('(attached)');
    expect(mail?.text).toContain(`- Data: ${large}`);
    expect(mail?.text).toContain('Attached: Markdown report');
  });

  it('reads reports through attachReports.read and links what it cannot read', async () => {
    plain.reset();
    const read = vi.fn(async (url: string) => {
      if (url.endsWith('.html')) return new TextEncoder().encode('<h1>report</h1>');
      throw new Error('no such object');
    });
    const notifier = createEmailNotifier({ ...base, port: plain.port, attachReports: { maxBytes: 1_000, read } });
    await notifier.send(
      sampleMessage({
        links: [
          { label: 'Report', url: 's3://bucket/reports/daily.html' },
          { label: 'Other', url: 's3://bucket/missing.csv' },
        ],
      }),
    );
    expect(read).toHaveBeenCalledTimes(2);
    expect(plain.messages[0]?.attachments.map((attachment) => [attachment.filename, attachment.contentType])).toEqual([
      ['daily.html', 'text/html'],
    ]);
  });

  it('uses a given transport and does not close it', async () => {
    plain.reset();
    const transport = createTransport({ host: '127.0.0.1', port: plain.port, secure: false });
    const closeSpy = vi.spyOn(transport, 'close');
    const notifier = createEmailNotifier({ from: base.from, to: base.to, transport });
    await notifier.send(sampleMessage());
    await notifier.close?.();
    expect(closeSpy).not.toHaveBeenCalled();
    expect(plain.messages).toHaveLength(1);
    transport.close();
  });
});
