import type { NotificationMessage, NotificationSeverity } from '@dify-logs/core/adapter-kit';
import { renderPlainText } from '@dify-logs/core/adapter-kit';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

const SEVERITY_COLORS: Record<NotificationSeverity, string> = {
  info: '#2563eb',
  warning: '#b45309',
  error: '#dc2626',
  critical: '#7f1d1d',
};

/** `[SEVERITY] title` (after `prefix` when given), on one line. */
export function renderSubject(message: NotificationMessage, prefix?: string): string {
  const subject = `[${message.severity.toUpperCase()}] ${message.title}`;
  const full = prefix ? `${prefix} ${subject}` : subject;
  return full.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** Only http(s) and mailto URLs become links; anything else (a local path) is shown as text. */
function isLinkable(url: string): boolean {
  return /^(https?:|mailto:)/i.test(url);
}

function paragraphs(summary: string): string {
  return summary
    .split(/\r?\n\s*\r?\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '')
    .map((paragraph) => `<p style="margin:0 0 12px">${escapeHtml(paragraph).replace(/\r?\n/g, '<br>')}</p>`)
    .join('\n');
}

function factsTable(facts: NotificationMessage['facts']): string {
  if (facts.length === 0) return '';
  const rows = facts
    .map(
      (fact) =>
        `<tr><th align="left" style="padding:4px 16px 4px 0;font-weight:600">${escapeHtml(fact.label)}</th>` +
        `<td style="padding:4px 0">${escapeHtml(fact.value)}</td></tr>`,
    )
    .join('\n');
  return `<table role="presentation" style="border-collapse:collapse;margin:0 0 12px">\n${rows}\n</table>`;
}

function linkList(links: NotificationMessage['links'], attached: ReadonlySet<string>): string {
  if (links.length === 0) return '';
  const items = links
    .map((link) => {
      const label = escapeHtml(link.label);
      const url = escapeHtml(link.url);
      const body = isLinkable(link.url)
        ? `<a href="${url}">${label}</a> <span style="color:#6b7280">${url}</span>`
        : `${label}: <code>${url}</code>`;
      return `<li>${body}${attached.has(link.url) ? ' (attached)' : ''}</li>`;
    })
    .join('\n');
  return `<ul style="margin:0 0 12px;padding-left:20px">\n${items}\n</ul>`;
}

function footer(message: NotificationMessage): string {
  const parts = [
    message.kind,
    message.job && `job ${message.job}`,
    message.runId && `run ${message.runId}`,
    message.occurredAt,
  ];
  return parts.filter((part): part is string => typeof part === 'string' && part !== '').join(' · ');
}

/**
 * The e-mail for a message: the subject, an HTML summary (title, summary paragraphs, facts table, links)
 * and the plain-text alternative (core's `renderPlainText`). Every value is HTML-escaped.
 * `attached` holds the URLs of links whose files travel as attachments.
 */
export function renderEmail(
  message: NotificationMessage,
  options: { subjectPrefix?: string; attached?: ReadonlySet<string> } = {},
): RenderedEmail {
  const attached = options.attached ?? new Set<string>();
  const subject = renderSubject(message, options.subjectPrefix);
  const color = SEVERITY_COLORS[message.severity];
  const html = [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:-apple-system,Segoe ' +
      'UI,Helvetica,Arial,sans-serif;font-size:14px;color:#111827;line-height:1.5">',
    `<h2 style="margin:0 0 12px;font-size:18px"><span style="color:${color}">[` +
      `${message.severity.toUpperCase()}]</span> ${escapeHtml(message.title)}</h2>`,
    paragraphs(message.summary),
    factsTable(message.facts),
    linkList(message.links, attached),
    `<p style="margin:16px 0 0;color:#6b7280;font-size:12px">${escapeHtml(footer(message))}</p>`,
    '</body></html>',
  ]
    .filter((line) => line !== '')
    .join('\n');
  const notes = message.links.filter((link) => attached.has(link.url)).map((link) => link.label);
  const text = [renderPlainText(message), notes.length > 0 ? `Attached: ${notes.join(', ')}` : '', footer(message)]
    .filter((line) => line !== '')
    .join('\n\n');
  return { subject, html, text };
}
