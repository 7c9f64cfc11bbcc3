import { channels } from '@dify-logs/core/adapter-kit';
const { isWebUrl } = channels;

/**
 * Escapes untrusted text (log messages, app names) for WeCom markdown. WeCom parses `<font …>` and
 * `<@userid>` from raw angle brackets and documents no entity decoding, so `<` and `>` become the
 * look-alike full-width `＜` `＞`: no mention, colour tag or HTML survives. Markdown punctuation gets a
 * backslash and line-start markers (`#`, `>`, `-`, `1.`) are escaped.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\\`*_[\]~]/g, '\\$&')
    .replace(/</g, '＜')
    .replace(/>/g, '＞')
    .replace(/^([ \t]*)([#+=-]|\d+[.)])/gm, '$1\\$2');
}

/** A link as `[label](url)` for http(s) URLs, else `label: location` as escaped text. */
export function markdownLink(link: { label: string; url: string }): string {
  if (!isWebUrl(link.url)) return `${escapeMarkdown(link.label)}: ${escapeMarkdown(link.url)}`;
  const url = new URL(link.url).href.replace(/[()]/g, (character) => (character === '(' ? '%28' : '%29'));
  return `[${escapeMarkdown(link.label) || 'link'}](${url})`;
}
