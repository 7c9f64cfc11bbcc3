import type { NotificationMessage } from '../adapters/notifier.js';

// Shared by the chat notifiers: UTF-8 byte limits and fitting a message into them.

export const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');

/** The longest prefix of `text` within `maxBytes` UTF-8 bytes, never splitting a character. */
export function cutBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = Math.max(0, maxBytes);
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1; // step back over continuation bytes
  return bytes.subarray(0, end).toString('utf8');
}

/** `text` cut to at most `length` UTF-16 units, never splitting a surrogate pair. */
export function cutChars(text: string, length: number): string {
  if (text.length <= length) return text;
  let end = Math.max(0, length);
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end);
}

/**
 * Renders the message whole when that fits, else with the longest summary prefix that fits (cut on a
 * code-point boundary, ending in …); `truncated` tells the renderer to add its "full report" line.
 * The result may still not fit when title, facts and links alone are too long: callers cut further.
 */
export function fitSummary<T>(
  message: NotificationMessage,
  render: (message: NotificationMessage, truncated: boolean) => T,
  fits: (output: T) => boolean,
): T {
  const whole = render(message, false);
  if (fits(whole)) return whole;
  const withSummary = (length: number) =>
    render({ ...message, summary: `${cutChars(message.summary, length).trimEnd()}…` }, true);
  let low = 0;
  let high = message.summary.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(withSummary(middle))) low = middle;
    else high = middle - 1;
  }
  return withSummary(low);
}

/** http(s) links become buttons or Markdown links; anything else (a local path) is shown as text. */
export function isWebUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** One line of plain text (titles, button labels). */
export const oneLine = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
