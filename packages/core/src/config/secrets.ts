import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DifyConfigError } from '../errors/config-error.js';

/** The prefix of an encrypted value: `enc:v1:<base64url(iv | ciphertext | tag)>`, AES-256-GCM. */
export const ENCRYPTED_PREFIX = 'enc:v1:';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

export function isEncryptedSecret(value: unknown): boolean {
  return typeof value === 'string' && value.trim().startsWith(ENCRYPTED_PREFIX);
}

/** A new random key, as the base64 text to keep in `DIFY_LOGS_SECRET_KEY` or a key file. */
export function generateSecretKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/**
 * The 32 key bytes of a key text: 64 hex characters, or base64 (standard or URL-safe, padding optional).
 * `name` is where the text came from, for the error (default `DIFY_LOGS_SECRET_KEY`). The text is never repeated.
 */
export function parseSecretKey(text: string, name = 'DIFY_LOGS_SECRET_KEY'): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-f]{64}$/i.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
  }
  throw new DifyConfigError(
    name,
    `is not a secret key: expected ${KEY_BYTES} bytes as base64 (44 characters) or as 64 hex ` +
      `characters (got ${trimmed.length} characters); create one with \`openssl rand -base64 32\``,
  );
}

function assertKey(key: Uint8Array, name: string): void {
  if (key.length !== KEY_BYTES)
    throw new DifyConfigError(name, `the secret key must be ${KEY_BYTES} bytes, got ${key.length}`);
}

/** Encrypts a value for a configuration file: `enc:v1:…` (a fresh random IV each time). */
export function encryptSecret(plain: string, key: Uint8Array): string {
  assertKey(key, 'secretKey');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${ENCRYPTED_PREFIX}${Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64url')}`;
}

/**
 * Decrypts an `enc:v1:` value. A wrong key, an altered value or a value that is not `enc:v1:` throws a
 * DifyConfigError naming `keyPath` (the configuration key holding the value); neither the value nor the key is
 * repeated.
 */
export function decryptSecret(value: string, key: Uint8Array, keyPath = 'secret'): string {
  assertKey(key, keyPath);
  const trimmed = value.trim();
  if (!trimmed.startsWith(ENCRYPTED_PREFIX))
    throw new DifyConfigError(keyPath, `is not an encrypted value (expected ${ENCRYPTED_PREFIX}…)`);
  const body = trimmed.slice(ENCRYPTED_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body))
    throw new DifyConfigError(
      keyPath,
      `is not a valid ${ENCRYPTED_PREFIX} value (expected base64url after the prefix)`,
    );
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES)
    throw new DifyConfigError(keyPath, `is not a valid ${ENCRYPTED_PREFIX} value (too short: truncated?)`);
  const iv = bytes.subarray(0, IV_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const ciphertext = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new DifyConfigError(
      keyPath,
      'cannot be decrypted: the secret key is not the one it was encrypted with, or the value was altered',
    );
  }
}
