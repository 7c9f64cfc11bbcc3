import type { NotificationMessage } from '@dify-logs/core/adapter-kit';
import { cutEscaped, escapeMrkdwn, mrkdwnLink } from './mrkdwn.js';
import { channels } from '@dify-logs/core/adapter-kit';
const { cutChars, fitSummary, isWebUrl, oneLine } = channels;

/** Block Kit limits (Slack reference: header text 150, section text 3000, 10 fields of 2000, 50 blocks). */
export const LIMITS = { header: 150, section: 3000, field: 2000, fields: 10, blocks: 50, text: 3000 } as const;
const MAX_FACT_SECTIONS = LIMITS.blocks - 4; // header, summary, links, context

type Text = { type: 'plain_text'; text: string; emoji: boolean } | { type: 'mrkdwn'; text: string };
export type Block =
  | { type: 'header'; text: Text }
  | { type: 'section'; text: Text }
  | { type: 'section'; fields: Text[] }
  | { type: 'context'; elements: Text[] };

const mrkdwn = (text: string): Text => ({ type: 'mrkdwn', text });

/** The `text` fallback (notifications, screen readers, old clients): plain, escaped, at most 3000 characters. */
export function renderFallback(message: NotificationMessage): string {
  const render = (current: NotificationMessage, truncated: boolean) => {
    const lines = [`[${current.severity.toUpperCase()}] ${oneLine(current.title)}`, current.summary];
    const first = current.links[0];
    if (truncated && first) lines.push(`full report: ${first.url}`);
    for (const fact of current.facts) lines.push(`- ${oneLine(fact.label)}: ${oneLine(fact.value)}`);
    for (const link of current.links) lines.push(`- ${oneLine(link.label)}: ${link.url}`);
    return escapeMrkdwn(lines.filter((line) => line !== '').join('\n'));
  };
  return cutEscaped(
    fitSummary(message, render, (text) => text.length <= LIMITS.text),
    LIMITS.text,
  );
}

export function renderBlocks(message: NotificationMessage): Block[] {
  const blocks: Block[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: cutChars(oneLine(message.title), LIMITS.header) || '-', emoji: true },
    },
  ];
  const summary = fitSummary(message, summaryText, (text) => text.length <= LIMITS.section);
  if (summary !== '') blocks.push({ type: 'section', text: mrkdwn(cutEscaped(summary, LIMITS.section)) });
  for (let start = 0; start < message.facts.length && blocks.length - 1 < MAX_FACT_SECTIONS; start += LIMITS.fields) {
    const fields = message.facts
      .slice(start, start + LIMITS.fields)
      .map((fact) =>
        mrkdwn(
          cutEscaped(`*${escapeMrkdwn(oneLine(fact.label))}*\n${escapeMrkdwn(oneLine(fact.value))}`, LIMITS.field),
        ),
      );
    blocks.push({ type: 'section', fields });
  }
  // Links as mrkdwn in a context block: link buttons would need an interactivity endpoint to acknowledge clicks.
  const links: string[] = [];
  for (const link of message.links) {
    const item = isWebUrl(link.url)
      ? mrkdwnLink(oneLine(link.label), link.url)
      : `${escapeMrkdwn(oneLine(link.label))}: ${escapeMrkdwn(link.url)}`;
    if ([...links, item].join('  ·  ').length <= LIMITS.section) links.push(item);
  }
  if (links.length > 0) blocks.push({ type: 'context', elements: [mrkdwn(links.join('  ·  '))] });
  const context = [
    `*${message.severity.toUpperCase()}*`,
    message.kind,
    message.job,
    message.runId && `run ${message.runId}`,
    message.occurredAt,
  ];
  blocks.push({
    type: 'context',
    elements: [mrkdwn(cutEscaped(escapeMrkdwn(oneLine(context.filter(Boolean).join(' · '))), LIMITS.section))],
  });
  return blocks;
}

function summaryText(message: NotificationMessage, truncated: boolean): string {
  const lines = [escapeMrkdwn(message.summary)];
  const first = message.links.find((link) => isWebUrl(link.url));
  if (truncated && first) lines.push(`full report: ${mrkdwnLink(oneLine(first.label), first.url)}`);
  return lines.filter((line) => line !== '').join('\n');
}
