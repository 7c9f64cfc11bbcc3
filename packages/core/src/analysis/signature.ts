const URL = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>)\]]+/gi;
const EMAIL = /\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const HEX_ID = /\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{12,}\b/gi;
const LONG_TOKEN = /\b(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{24,}\b/g;
const NUMBER = /[-+]?\b\d+(?:[.,:]\d+)*/g;

/**
 * The signature of an error message: what stays the same between occurrences of one failure. URLs,
 * e-mails, UUIDs, long hex or token-like ids and numbers become `<url>`, `<email>`, `<id>`, `<n>`;
 * white space is collapsed; the result is at most 200 characters.
 */
export function errorSignature(message: string): string {
  const normalised = message
    .replace(URL, '<url>')
    .replace(EMAIL, '<email>')
    .replace(UUID, '<id>')
    .replace(HEX_ID, '<id>')
    .replace(LONG_TOKEN, '<id>')
    .replace(NUMBER, '<n>')
    .replace(/\s+/g, ' ')
    .trim();
  return normalised.length > 200 ? `${normalised.slice(0, 199)}…` : normalised;
}
