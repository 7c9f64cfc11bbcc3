/**
 * Escapes untrusted text (app names, errors, node titles) for a Markdown line or table cell: line breaks
 * become spaces, Markdown punctuation (pipes, emphasis, code, link and image brackets) gets a backslash,
 * and `& < >` become entities, so no HTML tag, autolink, link or image is formed in any renderer.
 */
export function markdownCell(value: unknown): string {
  return String(value ?? '')
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[\\`*_[\]~|]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
