import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { DifyConfigError } from '../errors/config-error.js';
import { isPlainObject } from './key-path.js';
import { decryptSecret, isEncryptedSecret } from './secrets.js';

const REFERENCE = /\$\$\{|\$\{(env|file):([^}]*)\}/g;

export interface ReferenceContext {
  /** The variables `${env:NAME}` reads. */
  env: Readonly<Record<string, string | undefined>>;
  /** The folder relative `${file:…}` paths start from (the configuration file's). */
  baseDir: string;
  /** The key for `enc:v1:` values; undefined when none is configured. Called only when one is needed. */
  secretKey: () => Promise<Uint8Array | undefined>;
  /** Receives every decrypted value, for scrubbing. */
  onSecret: (value: string) => void;
}

const NO_KEY_HELP =
  'is encrypted (enc:v1:…) but no secret key is available: set DIFY_LOGS_SECRET_KEY ' +
  '(base64 or 64 hex characters), or give a key file (keyFile option, --key-file)';

async function readReference(path: string, key: string, baseDir: string): Promise<string> {
  const file = isAbsolute(path) ? path : resolve(baseDir, path);
  try {
    const content = await readFile(file, 'utf8');
    return content.replace(/\r?\n$/, '');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new DifyConfigError(
      key,
      `cannot read \${file:${path}} (${file}): ${typeof code === 'string' ? code : 'unreadable'}`,
    );
  }
}

/** One string value with its `enc:v1:` decrypted or its references replaced; `$${` stands for a literal `${`. */
async function resolveString(value: string, key: string, context: ReferenceContext): Promise<string> {
  if (isEncryptedSecret(value)) {
    const secretKey = await context.secretKey();
    if (!secretKey) throw new DifyConfigError(key, NO_KEY_HELP);
    const plain = decryptSecret(value, secretKey, key);
    context.onSecret(plain);
    return plain;
  }
  if (!value.includes('${')) return value;
  let result = '';
  let last = 0;
  for (const match of value.matchAll(REFERENCE)) {
    result += value.slice(last, match.index);
    last = match.index + match[0].length;
    const [whole, kind, argument = ''] = match;
    if (whole === '$${') {
      result += '${';
    } else if (kind === 'env') {
      const name = argument.trim();
      const variable = context.env[name];
      if (variable === undefined)
        throw new DifyConfigError(key, `refers to \${env:${name}}, but the environment variable ${name} is not set`);
      result += variable;
    } else {
      result += await readReference(argument.trim(), key, context.baseDir);
    }
  }
  return result + value.slice(last);
}

/** A copy of a configuration tree with every string value resolved (see `resolveString`). */
export async function resolveReferences(value: unknown, context: ReferenceContext, key = ''): Promise<unknown> {
  if (typeof value === 'string') return resolveString(value, key || 'config', context);
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const [index, item] of value.entries())
      items.push(await resolveReferences(item, context, key ? `${key}.${index}` : String(index)));
    return items;
  }
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value))
      copy[name] = await resolveReferences(item, context, key ? `${key}.${name}` : name);
    return copy;
  }
  return value;
}
