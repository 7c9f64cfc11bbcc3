/** The little XML the OSS test server writes and reads. */

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, decimal: string) => String.fromCodePoint(Number(decimal)))
    .replace(/&amp;/g, '&');
}

/** A child element: text is escaped, nested elements (arrays of strings from `element`) are joined. */
export function element(name: string, content: string | number | boolean | string[]): string {
  const inner = Array.isArray(content) ? content.join('') : escapeXml(String(content));
  return `<${name}>${inner}</${name}>`;
}

export function xmlDocument(root: string, children: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}>${children.join('')}</${root}>\n`;
}

/** The body of a document whose root element is `root`, or undefined when it is not one. */
export function rootContent(xml: string, root: string): string | undefined {
  const match = new RegExp(`^\\s*(?:<\\?xml[^>]*\\?>)?\\s*<${root}(?:\\s[^>]*)?>([\\s\\S]*)</${root}>\\s*$`).exec(xml);
  return match?.[1];
}

/** The inner text of every `<tag>…</tag>` (not nested in itself), raw. */
export function childElements(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((match) => match[1] ?? '');
}

/** The unescaped text of the first `<tag>`, or undefined. */
export function childText(xml: string, tag: string): string | undefined {
  const [first] = childElements(xml, tag);
  return first === undefined ? undefined : unescapeXml(first.trim());
}
