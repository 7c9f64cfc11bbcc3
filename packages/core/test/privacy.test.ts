import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTextScanner } from '../src/privacy/detectors.js';
import { REDACTED_VALUE, createPrivacyPolicy } from '../src/privacy/policy.js';
import type { RunRecord } from '../src/records/schema.js';
import { node, run } from './support/records.js';
import { ConfigSchema } from '../src/config/schema.js';

/** A valid Chinese resident ID number: region, birth date, sequence, and its ISO 7064 MOD 11-2 check character. */
function idNumber(body17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body17].reduce((total, digit, index) => total + Number(digit) * weights[index]!, 0);
  return body17 + '10X98765432'[sum % 11]!;
}

/** A card number of `prefix` and random digits, completed with its Luhn check digit. */
function card(partial: string): string {
  for (let check = 0; check < 10; check += 1) {
    const digits = partial + check;
    let sum = 0;
    for (let index = 0; index < digits.length; index += 1) {
      let digit = Number(digits[digits.length - 1 - index]);
      if (index % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
      sum += digit;
    }
    if (sum % 10 === 0) return digits;
  }
  throw new Error('unreachable');
}

/** One planted value per detector, as an end user would type or paste it. */
const PLANTED = {
  email: 'li.ming@example-corp.cn',
  phone: '13912345678',
  e164: '+442079460958',
  idNumber: idNumber('11010519491231002'),
  bankCard: card('622202123456789012'),
  ipv4: '203.0.113.42',
  ipv6: '2001:db8:85a3::8a2e:370:7334',
  apiKey: 'sk-proj-AbCdEfGhIjKlMnOpQrStUv',
  difyKey: 'app-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2',
  bearer: 'Bearer eyQ1w2e3r4t5y6u7i8o9p0AbCdEf',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  privateKey: '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq\n-----END RSA PRIVATE KEY-----',
};
const VALUES = Object.values(PLANTED);

/** Every way a value reaches a record: free text, Chinese text, a JSON string, URL escapes, nested objects, arrays. */
function plantedRun(): RunRecord {
  const free =
    `Please call ${PLANTED.phone} or ${PLANTED.e164}, mail ${PLANTED.email}. ID ${PLANTED.idNumber}` +
    `, card ${PLANTED.bankCard}, from ${PLANTED.ipv4} / ${PLANTED.ipv6}. Keys: ${PLANTED.apiKey}` +
    ` ${PLANTED.difyKey} ${PLANTED.jwt}; Authorization: ${PLANTED.bearer}\n${PLANTED.privateKey}`;
  const chinese = `您好，我的手机号是${PLANTED.phone}，邮箱${PLANTED.email}，身份证号${PLANTED.idNumber}，银行卡${PLANTED.bankCard}，谢谢。`;
  const json = JSON.stringify({ contact: { phone: PLANTED.phone, email: PLANTED.email }, card: PLANTED.bankCard });
  const url =
    `https://example.com/cb?email=${encodeURIComponent(PLANTED.email)}` +
    `&phone=${encodeURIComponent(PLANTED.e164)}&token=${PLANTED.apiKey}`;
  return run({
    status: 'failed',
    endUserSessionId: PLANTED.email,
    error: `HTTP 500 calling ${url}: ${free}`,
    inputs: { query: free, chinese, payload: json, list: [free, { deep: [chinese] }] },
    outputs: { answer: chinese, escaped: JSON.stringify(json) },
    nodes: [
      node({
        title: `Reply to ${PLANTED.email}`,
        status: 'failed',
        error: free,
        inputs: { prompt: chinese },
        outputs: { text: free },
        processData: { request: url },
      }),
    ],
  });
}

/** The planted values (and their escaped forms) still present in `text`. */
function hits(text: string): string[] {
  const forms = VALUES.flatMap((value) => [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
  // The shortest form a masked value must not keep: the digits of a number, the local part of an address.
  const cores = [PLANTED.phone.slice(3, 7), PLANTED.idNumber.slice(6, 14), PLANTED.bankCard.slice(4, 12), 'li.ming'];
  return [...forms, ...cores].filter((form) => text.includes(form));
}

describe('privacy detectors', () => {
  const scanner = createTextScanner();

  it('finds each planted value in free text, Chinese text, JSON strings and URL escapes', () => {
    const run = JSON.stringify(plantedRun());
    const found = new Set(scanner.scan(run).map((finding) => finding.detector));
    expect([...found].sort()).toEqual(['bankCard', 'email', 'idNumber', 'ip', 'phone', 'secret']);
    for (const value of VALUES)
      expect(scanner.scan(`前${value}后`).length + scanner.scan(` ${value} `).length, value).toBeGreaterThan(0);
    expect(scanner.scan(encodeURIComponent(PLANTED.email))[0]?.canonical).toBe(PLANTED.email);
  });

  it('leaves order numbers, timestamps, UUIDs, prices, versions and code alone', () => {
    for (const text of [
      'ORD-20261203-000123',
      'order 2026120300012345',
      '1733212345678',
      '1733212345',
      '2026-12-03T13:59:18.123Z',
      '12:30:45',
      '550e8400-e29b-41d4-a716-446655440000',
      '¥1999.00 / $12,345.67',
      'v1.2.3.4',
      'std::vector<int> and a::b',
      'build 4111111111111112', // fails the Luhn check
      '110105194912310021', // an ID number whose check character is wrong
      'sk-short',
    ])
      expect(scanner.scan(text), text).toEqual([]);
  });

  it('finds generated valid ID numbers, cards, mobiles and addresses wherever they sit (property)', () => {
    const digits = (length: number) =>
      fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: length, maxLength: length });
    const around = fc.string({ unit: fc.constantFrom(...'的是在了 ,.;:()[]{}"\'中文字符abc'), maxLength: 12 });
    const value = fc.oneof(
      fc
        .tuple(
          fc.integer({ min: 110000, max: 659999 }),
          fc.date({ min: new Date('1930-01-01'), max: new Date('2020-12-31'), noInvalidDate: true }),
          digits(3),
        )
        .map(([region, born, sequence]) =>
          idNumber(`${region}${born.toISOString().slice(0, 10).replace(/-/g, '')}${sequence}`),
        ),
      fc
        .tuple(fc.constantFrom('4', '51', '62', '35'), fc.integer({ min: 12, max: 15 }))
        .chain(([prefix, length]) => digits(length - prefix.length).map((rest) => card(prefix + rest))),
      fc.tuple(fc.constantFrom('13', '15', '17', '18', '19'), digits(9)).map(([head, rest]) => head + rest),
      fc
        .tuple(
          fc.stringMatching(/^[a-z][a-z0-9._]{0,10}$/),
          fc.stringMatching(/^[a-z]{2,10}$/),
          fc.constantFrom('com', 'cn', 'org'),
        )
        .map(([local, domain, tld]) => `${local}@${domain}.${tld}`),
    );
    fc.assert(
      fc.property(around, value, around, (before, planted, after) => {
        const masked = createPrivacyPolicy().text(`${before} ${planted} ${after}`);
        expect(masked).not.toContain(planted);
      }),
      { numRuns: 400 },
    );
  });

  it('never changes text without digits, @ or secret prefixes (property)', () => {
    const policy = createPrivacyPolicy();
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'abcdefgh XYZ中文,.!?') }), (text) => {
        expect(policy.text(text)).toBe(text);
      }),
    );
  });
});

describe('privacy policy', () => {
  it('masks every planted value in every field of a run, keeping a recognisable shape', () => {
    const policy = createPrivacyPolicy();
    const masked = policy.run(plantedRun());
    expect(hits(JSON.stringify(masked))).toEqual([]);
    expect(masked.nodes![0]!.title).toBe('Reply to l***@example-corp.cn');
    expect(policy.text('call 13912345678 now')).toBe('call 139****5678 now');
    expect(policy.text(`id ${PLANTED.idNumber}`)).toBe(
      `id 110105********002X`.replace('002X', PLANTED.idNumber.slice(14)),
    );
    expect(policy.text(`card ${PLANTED.bankCard}`)).toMatch(/^card \*{15}\d{4}$/);
    expect(policy.text('from 203.0.113.42')).toBe('from 203.0.*.*');
    expect(policy.text(PLANTED.apiKey)).toBe('sk-***');
    // Nothing structural changes.
    expect(masked.logId).toBe('log-1');
    expect(masked.nodes![0]!.nodeId).toBe('llm');
    expect(masked.endUserSessionId).toBe('l***@example-corp.cn'); // endUser: scan (the default)
    expect(createPrivacyPolicy({ endUser: 'keep' }).run(plantedRun()).endUserSessionId).toBe(PLANTED.email);
  });

  it('hashes to a keyed token: the same value gives the same token, another key another', () => {
    const a = createPrivacyPolicy({ action: 'hash', key: 'k1' });
    const b = createPrivacyPolicy({ action: 'hash', key: 'k2' });
    const first = a.text(`mail ${PLANTED.email}`);
    expect(first).toMatch(/^mail \[email:[0-9a-f]{16}\]$/);
    expect(a.text(`again ${PLANTED.email.toUpperCase()}`).slice(6)).toBe(first.slice(5));
    expect(b.text(`mail ${PLANTED.email}`)).not.toBe(first);
    expect(hits(JSON.stringify(a.run(plantedRun())))).toEqual([]);
  });

  it('drops values, and fields by path; keeps fields by path untouched', () => {
    const policy = createPrivacyPolicy({
      action: 'drop',
      fields: { drop: ['inputs.payload', 'nodes.*.processData'], keep: ['inputs.chinese'] },
      endUser: 'drop',
    });
    const run = policy.run(plantedRun());
    expect(run.inputs!.payload).toBe(REDACTED_VALUE);
    expect(run.nodes![0]!.processData).toBe(REDACTED_VALUE);
    expect(run.inputs!.chinese).toBe(plantedRun().inputs!.chinese);
    expect(run.outputs!.answer).toContain(`手机号是${REDACTED_VALUE}`);
    expect(run.endUserSessionId).toBeNull();
  });

  it('hashes end users to one token per user', () => {
    const policy = createPrivacyPolicy({ endUser: 'hash', key: 'k', detect: [] });
    const one = policy.run(plantedRun()).endUserSessionId;
    expect(one).toMatch(/^user:[0-9a-f]{16}$/);
    expect(policy.run(plantedRun()).endUserSessionId).toBe(one);
    // With no detector, texts are left as they are.
    expect(policy.run(plantedRun()).inputs).toEqual(plantedRun().inputs);
  });

  it('is off with enabled: false, and states the policy it applies', () => {
    const off = createPrivacyPolicy({ enabled: false });
    expect(off.run(plantedRun())).toEqual(plantedRun());
    expect(off.statement.enabled).toBe(false);
    expect(createPrivacyPolicy({ detect: ['email'] }).statement).toMatchObject({
      enabled: true,
      action: 'mask',
      detectors: ['email'],
    });
  });
});

describe('privacy configuration', () => {
  const base = { dify: { baseUrl: 'http://dify.local', apiKey: 'app-x', appId: 'a' } };

  it('defaults to masking with every detector', () => {
    const config = ConfigSchema.parse(base);
    expect(config.privacy).toMatchObject({ enabled: true, action: 'mask', endUser: 'scan' });
  });

  it('names the key a hash needs, and refuses unknown detectors and keys', () => {
    const missingKey = ConfigSchema.safeParse({ ...base, privacy: { action: 'hash' } });
    expect(missingKey.error?.issues[0]?.path).toEqual(['privacy', 'key']);
    const unknown = ConfigSchema.safeParse({ ...base, privacy: { detect: ['email', 'passport'] } });
    expect(unknown.error?.issues[0]?.path.slice(0, 2)).toEqual(['privacy', 'detect']);
    const extra = ConfigSchema.safeParse({ ...base, privacy: { mode: 'mask' } });
    expect(JSON.stringify(extra.error?.issues)).toContain('mode');
  });
});
