// Rewrites the secret values of a YAML or JSON configuration document in place (comments and layout kept), for the
// `secrets encrypt --file` and `secrets rotate-key` commands.
import { decryptSecret, DifyConfigError, encryptSecret } from '@dify-logs/core';
import { isEncryptedSecret, isSecretPath } from '@dify-logs/core/internal';
import { isMap, isScalar, isSeq, parseDocument, type Scalar } from 'yaml';

interface ScalarAt {
  node: Scalar;
  path: string;
}

function parseForRewrite(document: string): ScalarAt[] {
  const parsed = parseDocument(document, { keepSourceTokens: false });
  const problem = parsed.errors[0];
  if (problem) {
    const line = problem.linePos?.[0]?.line;
    throw new DifyConfigError(
      'document',
      `is not valid YAML${line === undefined ? '' : ` (line ${line})`}` +
        `: ${problem.message.split('\n')[0]?.replace(/:$/, '')}`,
    );
  }
  const found: ScalarAt[] = [];
  const walk = (node: unknown, path: string[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item, [...path, String(index)]));
    } else if (isScalar(node)) {
      found.push({ node, path: path.join('.') });
    }
  };
  walk(parsed.contents, []);
  return found;
}

/** The scalar's text rewritten to `value` (base64url-safe text), keeping its quotes; everything else untouched. */
function spliceAll(document: string, replacements: Array<{ node: Scalar; path: string; value: string }>): string {
  const ordered = [...replacements].sort((left, right) => (right.node.range?.[0] ?? 0) - (left.node.range?.[0] ?? 0));
  let text = document;
  for (const { node, path, value } of ordered) {
    const range = node.range;
    if (!range) throw new DifyConfigError(path, 'cannot be rewritten in place (no source position)');
    const [start, end] = range;
    const original = text.slice(start, end);
    // Quotes stay as they were; a plain number or boolean (JSON too) becomes a double-quoted string.
    const quote =
      node.type === 'QUOTE_DOUBLE' || (node.type === 'PLAIN' && typeof node.value !== 'string')
        ? '"'
        : node.type === 'QUOTE_SINGLE'
          ? "'"
          : '';
    // A block scalar's range ends with its line break(s): keep them, CRLF included.
    const trailing = quote === '' ? (/\s*$/.exec(original)?.[0] ?? '') : '';
    text = `${text.slice(0, start)}${quote}${value}${quote}${trailing}${text.slice(end)}`;
  }
  return text;
}

/**
 * Re-encrypts every `enc:v1:` value of a YAML (or JSON) document from `oldKey` to `newKey`. Only those values change:
 * comments, order, quoting and layout are kept byte for byte. A value the old key cannot decrypt throws a
 * DifyConfigError naming its key path, and nothing is returned.
 */
export function rotateSecrets(document: string, oldKey: Uint8Array, newKey: Uint8Array): string {
  const replacements = parseForRewrite(document)
    .filter(({ node }) => isEncryptedSecret(node.value))
    .map(({ node, path }) => ({
      node,
      path,
      value: encryptSecret(decryptSecret(String(node.value), oldKey, path), newKey),
    }));
  return spliceAll(document, replacements);
}

export interface EncryptedDocument {
  document: string;
  /** Key paths of the values that were encrypted. */
  encrypted: string[];
}

/**
 * Encrypts, in place, every plain-text value of a secret key (see `isSecretPath`) in a YAML (or JSON) document.
 * Values already encrypted, empty values and whole `${env:…}` / `${file:…}` references are left alone.
 */
export function encryptSecretsInDocument(document: string, key: Uint8Array): EncryptedDocument {
  const replacements: Array<{ node: Scalar; path: string; value: string }> = [];
  for (const { node, path } of parseForRewrite(document)) {
    if (!isSecretPath(path) || node.value === null || node.value === undefined || isEncryptedSecret(node.value))
      continue;
    // A plain number-looking secret (`password: 0123`) is encrypted as written, not as the number YAML reads.
    const plain =
      typeof node.value === 'string'
        ? node.value
        : node.range && node.type === 'PLAIN'
          ? document.slice(node.range[0], node.range[1]).trim()
          : String(node.value);
    if (plain === '' || /^\$\{(env|file):[^}]*\}$/.test(plain.trim())) continue;
    replacements.push({ node, path, value: encryptSecret(plain, key) });
  }
  return {
    document: spliceAll(document, replacements),
    encrypted: replacements.map((replacement) => replacement.path),
  };
}
