import type { NotificationMessage } from '@dify-logs/core/adapter-kit';
import { escapeMarkdown, markdownLines, markdownLink } from './markdown.js';
import { channels } from '@dify-logs/core/adapter-kit';
const { byteLength, cutBytes, cutChars, fitSummary, isWebUrl, oneLine } = channels;

export interface RenderSettings {
  msgType: 'markdown' | 'actionCard';
  keyword: string | undefined;
  atMobiles: string[];
  atAll: boolean;
  maxBytes: number;
}

export type DingtalkPayload =
  | { msgtype: 'markdown'; markdown: { title: string; text: string }; at: { atMobiles: string[]; isAtAll: boolean } }
  | {
      msgtype: 'actionCard';
      actionCard: {
        title: string;
        text: string;
        btnOrientation: '0' | '1';
        btns: Array<{ title: string; actionURL: string }>;
      };
    };

const TITLE_CHARS = 200;

/** The request body for one message: markdown, or actionCard with one button per http(s) link. */
export function renderPayload(message: NotificationMessage, settings: RenderSettings): DingtalkPayload {
  const buttons =
    settings.msgType === 'actionCard'
      ? message.links
          .filter((link) => isWebUrl(link.url))
          .map((link) => ({ title: cutChars(oneLine(link.label), 40) || 'Open', actionURL: link.url }))
      : [];
  const keyword = settings.keyword;
  const plainTitle = oneLine(message.title);
  const title = cutChars(
    keyword === undefined || plainTitle.includes(keyword) ? plainTitle : `${keyword} ${plainTitle}`,
    TITLE_CHARS,
  );
  const asCard = buttons.length > 0; // an actionCard needs buttons: without web links it is sent as markdown
  const render = (current: NotificationMessage, truncated: boolean) => renderText(current, settings, truncated, asCard);
  // Buttons count against the limit too, so the whole card stays within maxBytes.
  const budget = Math.max(
    0,
    settings.maxBytes -
      buttons.reduce((sum, button) => sum + byteLength(button.title) + byteLength(button.actionURL) + 2, 0),
  );
  let text = fitSummary(message, render, (output) => byteLength(output) <= budget);
  // facts and links alone too long: the title, first, survives
  if (byteLength(text) > budget) text = cutBytes(text, budget);
  if (asCard) return { msgtype: 'actionCard', actionCard: { title, text, btnOrientation: '0', btns: buttons } };
  return {
    msgtype: 'markdown',
    markdown: { title, text },
    at: { atMobiles: settings.atMobiles, isAtAll: settings.atAll },
  };
}

function renderText(
  message: NotificationMessage,
  settings: RenderSettings,
  truncated: boolean,
  asCard: boolean,
): string {
  const escapedTitle = escapeMarkdown(oneLine(message.title));
  const keyword = settings.keyword;
  const heading = keyword === undefined || escapedTitle.includes(keyword) ? escapedTitle : `${keyword} ${escapedTitle}`;
  const context = [
    `**${message.severity.toUpperCase()}**`,
    message.kind,
    message.job && escapeMarkdown(message.job),
    message.runId && `run ${escapeMarkdown(message.runId)}`,
    message.occurredAt,
  ];
  const lines = [`### ${heading}`, '', context.filter(Boolean).join(' · '), '', markdownLines(message.summary)];
  const first = message.links[0];
  if (truncated && first) lines.push('', `full report: ${markdownLink(first)}`);
  if (message.facts.length > 0)
    lines.push(
      '',
      ...message.facts.map(
        (fact) => `- **${escapeMarkdown(oneLine(fact.label))}**: ${escapeMarkdown(oneLine(fact.value))}`,
      ),
    );
  const listed = asCard ? message.links.filter((link) => !isWebUrl(link.url)) : message.links;
  if (listed.length > 0) lines.push('', ...listed.map((link) => `- ${markdownLink(link)}`));
  // DingTalk only highlights an @ whose mobile number also appears in the text.
  if (!asCard && settings.atMobiles.length > 0)
    lines.push('', settings.atMobiles.map((mobile) => `@${mobile}`).join(' '));
  return lines.join('\n');
}
