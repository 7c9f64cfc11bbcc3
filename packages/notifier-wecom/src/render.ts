import type { NotificationMessage, NotificationSeverity } from '@dify-logs/core/adapter-kit';
import { escapeMarkdown, markdownLink } from './markdown.js';
import { channels } from '@dify-logs/core/adapter-kit';
const { byteLength, cutBytes, fitSummary, oneLine } = channels;

/** WeCom markdown has three font colours: info (green), comment (grey), warning (orange-red). */
const SEVERITY_COLOR: Record<NotificationSeverity, 'info' | 'warning'> = {
  info: 'info',
  warning: 'warning',
  error: 'warning',
  critical: 'warning',
};

/** The markdown `content` of one message, at most `maxBytes` UTF-8 bytes. */
export function renderContent(message: NotificationMessage, mentions: string[], maxBytes: number): string {
  const render = (current: NotificationMessage, truncated: boolean) => renderText(current, mentions, truncated);
  const content = fitSummary(message, render, (output) => byteLength(output) <= maxBytes);
  // facts and links alone too long: the title, first, survives
  return byteLength(content) <= maxBytes ? content : cutBytes(content, maxBytes);
}

function renderText(message: NotificationMessage, mentions: string[], truncated: boolean): string {
  const color = SEVERITY_COLOR[message.severity];
  const context = [
    message.kind,
    message.job && escapeMarkdown(oneLine(message.job)),
    message.runId && `run ${escapeMarkdown(oneLine(message.runId))}`,
    message.occurredAt,
  ];
  const lines = [
    `## ${escapeMarkdown(oneLine(message.title))}`,
    `<font color="${color}">**${message.severity.toUpperCase()}**</font> ` +
      `<font color="comment">${context.filter(Boolean).join(' · ')}</font>`,
    escapeMarkdown(message.summary),
  ];
  const first = message.links[0];
  if (truncated && first) lines.push(`full report: ${markdownLink(first)}`);
  if (message.facts.length > 0)
    lines.push(
      '',
      ...message.facts.map(
        (fact) => `**${escapeMarkdown(oneLine(fact.label))}**: ${escapeMarkdown(oneLine(fact.value))}`,
      ),
    );
  if (message.links.length > 0) lines.push('', ...message.links.map(markdownLink));
  // Markdown messages cannot use `mentioned_list`; WeCom's documented way is `<@userid>` in the content.
  if (mentions.length > 0) lines.push('', mentions.map((userid) => `<@${userid}>`).join(''));
  return lines.join('\n');
}
