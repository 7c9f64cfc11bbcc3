import { channels } from '@dify-logs/core/adapter-kit';
const { isWebUrl } = channels;

/**
 * Escapes untrusted text (log messages, app names) for DingTalk markdown: Markdown punctuation gets a
 * backslash (standard Markdown escaping), `& < >` become HTML entities so no tag (`<font>`, `<script>`)
 * or autolink is formed, and line-start block markers (`#`, `-`, `+`, `=`, `1.`) are escaped.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\\`*_[\]~|]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/^([ \t]*)([#+=-]|\d+[.)])/gm, '$1\\$2');
}

/** Multi-line untrusted text as Markdown with hard line breaks. */
export const markdownLines = (text: string): string => escapeMarkdown(text).split('\n').join('  \n');

/** A link as `[label](url)` for http(s) URLs, else `label: location` as escaped text. */
export function markdownLink(link: { label: string; url: string }): string {
  if (!isWebUrl(link.url)) return `${escapeMarkdown(link.label)}: ${escapeMarkdown(link.url)}`;
  const url = new URL(link.url).href.replace(/[()]/g, (character) => (character === '(' ? '%28' : '%29'));
  return `[${escapeMarkdown(link.label) || 'link'}](${url})`;
}
