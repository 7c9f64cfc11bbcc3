import { channels } from '@dify-logs/core/adapter-kit';
const { cutChars } = channels;

/**
 * Escapes untrusted text for Slack `mrkdwn` and the `text` fallback the way Slack requires: `&`, `<` and
 * `>` become `&amp;` `&lt;` `&gt;`, so no `<!channel>`, `<!here>`, `<@U…>` mention or `<url|label>` link
 * can be injected. Slack has no escape for `*`, `_`, `~` and backticks: those may still style log text.
 */
export const escapeMrkdwn = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Escaped text cut to `length` characters without leaving half an entity (`&am`) or half a surrogate pair. */
export function cutEscaped(text: string, length: number): string {
  if (text.length <= length) return text;
  return `${cutChars(text, length - 1).replace(/&[a-z]*$/, '')}…`;
}

/** `<url|label>`, with the characters that would end the link percent-encoded. */
export function mrkdwnLink(label: string, url: string): string {
  const href = new URL(url).href.replace(
    /[|<>]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `<${href}|${escapeMrkdwn(label) || 'link'}>`;
}
