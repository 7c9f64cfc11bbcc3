/**
 * Whether Dify >= 1.11.2 would decode `text` without error, as its `FieldEncryption.decrypt_field` does
 * (`libs/encryption.py`): Python's non-strict `base64.b64decode` (ASCII only; characters outside the alphabet are
 * skipped; decoding stops at the padding that completes a quantum; 1 or 2–3 leftover characters are an error), then a
 * strict UTF-8 decode. A plain password for which this is false is refused there as "Invalid encrypted data" before
 * the password is checked, so trying it cannot count towards Dify's login lockout; one for which it is true is
 * compared, decoded, with the real password, and that failure counts.
 */
export function difyDecodesBase64(text: string): boolean {
  if (!/^[\x00-\x7f]*$/.test(text)) return false;
  const bytes: number[] = [];
  let quadPos = 0;
  let left = 0;
  let pads = 0;
  for (const char of text) {
    if (char === '=') {
      pads += 1;
      if (quadPos >= 2 && quadPos + pads >= 4) return isUtf8(bytes);
      continue;
    }
    const value = ALPHABET.indexOf(char);
    if (value < 0) continue;
    pads = 0;
    if (quadPos === 1) bytes.push(((left << 2) | (value >> 4)) & 0xff);
    else if (quadPos === 2) bytes.push(((left << 4) | (value >> 2)) & 0xff);
    else if (quadPos === 3) bytes.push(((left << 6) | value) & 0xff);
    left = quadPos === 0 ? value : quadPos === 1 ? value & 0x0f : value & 0x03;
    quadPos = (quadPos + 1) % 4;
  }
  return quadPos === 0 && isUtf8(bytes);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function isUtf8(bytes: number[]): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
    return true;
  } catch {
    return false;
  }
}

/**
 * A login that no Dify release can count as a failed password: the e-mail fails validation (400 on releases that
 * compare the password as sent), and the password cannot be decoded (401 "Invalid encrypted data" on releases that
 * decode it first, since `@decrypt_password_field` runs before the payload is validated).
 */
export const ENCODING_PROBE_BODY = { email: 'password-encoding-probe', password: 'a' } as const;
