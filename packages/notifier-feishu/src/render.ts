import type { NotificationMessage } from '@dify-logs/core/adapter-kit';
import { escapeMarkdown } from './markdown.js';
import { channels } from '@dify-logs/core/adapter-kit';
const { byteLength, cutChars, fitSummary, isWebUrl, oneLine } = channels;

type Text = { tag: 'plain_text' | 'lark_md'; content: string };
type Element =
  | { tag: 'markdown'; content: string }
  | { tag: 'div'; fields: Array<{ is_short: boolean; text: Text }> }
  | { tag: 'action'; actions: Array<{ tag: 'button'; text: Text; type: 'primary' | 'default'; url: string }> }
  | { tag: 'note'; elements: Text[] };
export interface FeishuCard {
  config: { wide_screen_mode: boolean };
  header: { title: Text; template: string };
  elements: Element[];
}

const TITLE_CHARS = 500;

/** Header colour (card `template`) by severity; a successful run is green. */
function template(message: NotificationMessage): string {
  if (message.severity === 'info') return message.kind === 'success' ? 'green' : 'blue';
  return { warning: 'orange', error: 'red', critical: 'carmine' }[message.severity];
}

/** The interactive card; the summary (then facts, then links) is cut so that `fits(card)` holds. */
export function renderCard(message: NotificationMessage, fits: (card: FeishuCard) => boolean): FeishuCard {
  let card = fitSummary(message, buildCard, fits);
  // the loop runs only once the summary is down to …
  const rest = { ...message, facts: [...message.facts], links: [...message.links] };
  while (!fits(card) && (rest.facts.length > 0 || rest.links.length > 0)) {
    if (rest.facts.length > 0) rest.facts.pop();
    else rest.links.pop();
    card = buildCard({ ...rest, summary: '…' }, true);
  }
  return card;
}

function buildCard(message: NotificationMessage, truncated: boolean): FeishuCard {
  const web = message.links.filter((link) => isWebUrl(link.url));
  const local = message.links.filter((link) => !isWebUrl(link.url));
  const summary = [escapeMarkdown(message.summary)];
  const first = web[0];
  if (truncated && first)
    summary.push(
      '',
      `full report: [${escapeMarkdown(oneLine(first.label))}](` +
        `${new URL(first.url).href.replace(/[()]/g, (character) => (character === '(' ? '%28' : '%29'))})`,
    );
  for (const link of local) summary.push(`${escapeMarkdown(oneLine(link.label))}: ${escapeMarkdown(link.url)}`);
  const elements: Element[] = [{ tag: 'markdown', content: summary.join('\n') }];
  if (message.facts.length > 0) {
    elements.push({
      tag: 'div',
      fields: message.facts.map((fact) => ({
        is_short: true,
        text: {
          tag: 'lark_md',
          content: `**${escapeMarkdown(oneLine(fact.label))}**\n${escapeMarkdown(oneLine(fact.value))}`,
        },
      })),
    });
  }
  if (web.length > 0) {
    elements.push({
      tag: 'action',
      actions: web.map((link, index) => ({
        tag: 'button',
        text: { tag: 'plain_text', content: oneLine(link.label) || 'Open' },
        type: index === 0 ? 'primary' : 'default',
        url: link.url,
      })),
    });
  }
  const context = [
    message.severity.toUpperCase(),
    message.kind,
    message.job,
    message.runId && `run ${message.runId}`,
    message.occurredAt,
  ];
  elements.push({
    tag: 'note',
    elements: [{ tag: 'plain_text', content: oneLine(context.filter(Boolean).join(' · ')) }],
  });
  return {
    config: { wide_screen_mode: true },
    header: {
      title: { tag: 'plain_text', content: cutChars(oneLine(message.title), TITLE_CHARS) },
      template: template(message),
    },
    elements,
  };
}

export const bodyBytes = (body: unknown): number => byteLength(JSON.stringify(body));
