/**
 * Dify stores run inputs and outputs with Python's `json.dumps` defaults: `", "` and `": "` separators
 * and `ensure_ascii=True`, so 中文 is stored as `\u4e2d\u6587` and an emoji as a surrogate pair.
 * The Service API returns that raw text, and keyword search runs over it.
 */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return pythonString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NaN';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) {
    let out = '[';
    for (let index = 0; index < value.length; index += 1) out += (index === 0 ? '' : ', ') + pythonJson(value[index]);
    return `${out}]`;
  }
  if (typeof value === 'object') {
    let out = '{';
    let first = true;
    for (const key in value as Record<string, unknown>) {
      out += `${first ? '' : ', '}${pythonString(key)}: ${pythonJson((value as Record<string, unknown>)[key])}`;
      first = false;
    }
    return `${out}}`;
  }
  return 'null';
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

const NEEDS_ESCAPE = /[\\"\u0000-\u001f\u007f-\uffff]/g;

function escapeChar(char: string): string {
  return SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

const HAS_ESCAPE = /[\\"\u0000-\u001f\u007f-\uffff]/;

function pythonString(text: string): string {
  return HAS_ESCAPE.test(text) ? `"${text.replace(NEEDS_ESCAPE, escapeChar)}"` : `"${text}"`;
}

/** Python's `str.encode('unicode_escape')`, which Dify <= 1.11.2 applied to the log keyword. */
export function unicodeEscape(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code >= 0x20 && code < 0x7f) out += char;
    else if (code < 0x100) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return out;
}

/** A case-insensitive `ILIKE '%pattern%'` test; `wildcards` makes `%` and `_` match like SQL (no escaping). */
export function createContainsMatcher(pattern: string, wildcards: boolean): (text: string) => boolean {
  const source = pattern
    .split('')
    .map((char) =>
      wildcards && char === '%'
        ? '[\\s\\S]*'
        : wildcards && char === '_'
          ? '[\\s\\S]'
          : char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
    )
    .join('');
  const regex = new RegExp(source, 'i');
  return (text) => regex.test(text);
}
