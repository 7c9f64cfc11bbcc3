import { describe, expect, it } from 'vitest';
import { connectionSecrets, redactConnectionString, scrub } from '../src/adapter-kit.js';

describe('connection strings with awkward passwords', () => {
  const cases: Array<[string, string]> = [
    ['postgres://user:pa ss word@127.0.0.1:1/db', 'postgres://user:***@127.0.0.1:1/db'],
    ['postgres://user:pa%20ss%20word@127.0.0.1:1/db', 'postgres://user:***@127.0.0.1:1/db'],
    ['postgres://user:pa ss/word@127.0.0.1:1/db', 'postgres://user:***@127.0.0.1:1/db'],
    ['postgress://user:p@ss word@127.0.0.1:1/db', 'postgress://user:***@127.0.0.1:1/db'],
    [
      'mongodb://user:pa ss#wo?rd@127.0.0.1:1/db?authSource=admin',
      'mongodb://user:***@127.0.0.1:1/db?authSource=admin',
    ],
    ['redis://:pa ss word@127.0.0.1:6379/0', 'redis://:***@127.0.0.1:6379/0'],
    [
      'postgres://127.0.0.1:1/db?user=u&password=pa%20ss%20word&sslmode=disable',
      'postgres://127.0.0.1:1/db?user=u&password=***&sslmode=disable',
    ],
    ['postgres://127.0.0.1:5432/db', 'postgres://127.0.0.1:5432/db'],
  ];
  it.each(cases)('redacts %s', (url, expected) => {
    expect(redactConnectionString(url)).toBe(expected);
  });

  it('scrubs the password in every form a driver or a URL parser may show it', () => {
    const secrets = connectionSecrets('postgres://user:pa ss word@127.0.0.1:1/db');
    for (const shown of [
      'pa ss word',
      'pa%20ss%20word',
      'pa+ss+word',
      'postgres://user:pa%20ss%20word@127.0.0.1:1/db',
      'postgres://user:pa ss word@127.0.0.1:1/db',
    ]) {
      expect(scrub(`failed: ${shown} (x)`, secrets)).not.toMatch(/ss.word/);
    }
    expect(connectionSecrets('postgres://user:pa%20ss%20word@h/db')).toEqual(
      expect.arrayContaining(['pa%20ss%20word', 'pa ss word']),
    );
    expect(connectionSecrets('postgres://user:100%bad@h/db')).toEqual(expect.arrayContaining(['100%bad', '100%25bad']));
    expect(connectionSecrets(undefined)).toEqual([]);
  });
});
