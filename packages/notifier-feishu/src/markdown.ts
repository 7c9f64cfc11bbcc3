/** Characters Feishu card Markdown gives meaning to, as the numeric HTML entities its docs prescribe (特殊字符转义). */
const ENTITIES: Record<string, string> = {
  '&': '&#38;',
  '<': '&#60;',
  '>': '&#62;',
  '*': '&#42;',
  _: '&#95;',
  '~': '&#126;',
  '`': '&#96;',
  '[': '&#91;',
  ']': '&#93;',
  '\\': '&#92;',
};

/**
 * Escapes untrusted text (log messages, app names) for `markdown` / `lark_md` card text: no `<at id=all>`,
 * `<font>`, `<a>`, link, emphasis or code survives; line-start `#`, `-`, `+` and `1.` are escaped too.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[&<>*_~`[\]\\]/g, (character) => ENTITIES[character] ?? character)
    .replace(/^([ \t]*)([#+-])/gm, (_match, space: string, marker: string) => `${space}&#${marker.charCodeAt(0)};`)
    .replace(/^([ \t]*\d+)\./gm, '$1&#46;');
}
