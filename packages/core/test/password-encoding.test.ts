import { describe, expect, it } from 'vitest';
import { difyDecodesBase64 } from '../src/client/auth/password-encoding.js';

// Expected values from CPython 3.12: `base64.b64decode(s).decode('utf-8')` raising or not (Dify's FieldEncryption).
const PYTHON: Array<[string, boolean]> = [
  ['a', false],
  ['-', true],
  ['', true],
  ['Zm9vYmFy', true],
  ['dify1234', false],
  ['YWI==', true],
  ['YQ==xyz', true],
  ['YWJj=', true],
  ['=YWJj', true],
  ['YW=Jj', true],
  ['dify-sim-password', false],
  ['pässwörd', false],
  ['YWJj!', true],
  ['YW Jj', true],
  ['abc', false],
  ['abcd', false],
  ['Passw0rd', false],
];

describe('difyDecodesBase64 (Python non-strict b64decode + UTF-8)', () => {
  it.each(PYTHON)('%j → %s', (text, decodes) => {
    expect(difyDecodesBase64(text)).toBe(decodes);
  });
});
