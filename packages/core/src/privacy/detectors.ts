import { isIPv6 } from 'node:net';

/** What the detectors find: personal data and secrets that end users type or paste into a Dify app. */
export const DETECTORS = ['email', 'phone', 'idNumber', 'bankCard', 'ip', 'secret'] as const;
export type DetectorName = (typeof DETECTORS)[number];

/** One value found in a text. */
export interface Finding {
  detector: DetectorName;
  /** The value as it appears (URL-escaped forms included). */
  text: string;
  /** The value in a canonical form (lower-case address, digits only), the same for every way it was written. */
  canonical: string;
  start: number;
}

// Neither a letter nor a digit before / after: values inside longer tokens (order numbers, hashes) are not values.
const NOT_AFTER_WORD = '(?<![0-9A-Za-z])';
const NOT_BEFORE_WORD = '(?![0-9A-Za-z])';
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

/**
 * One pass over the text for every detector: named alternatives, tried in this order at each position (secrets first,
 * so a key's digits are not read as a card; an ID number before a card, as both are digit runs).
 */
const SOURCES: Array<[group: string, detector: DetectorName, source: string]> = [
  ['privateKey', 'secret', '-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----'],
  ['jwt', 'secret', `${NOT_AFTER_WORD}eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{10,}`],
  ['bearer', 'secret', `${NOT_AFTER_WORD}[Bb]earer(?:\\s|%20)+[A-Za-z0-9._~+/=-]{16,}`],
  ['apiKey', 'secret', `${NOT_AFTER_WORD}(?:sk|app|pk|rk|key|dataset)-[A-Za-z0-9_-]{16,}`],
  [
    'email',
    'email',
    '[A-Za-z0-9._%+-]{1,64}(?:@|%40)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?' +
      '(?:\\.[A-Za-z0-9-]{1,63})*\\.[A-Za-z]{2,24}(?![A-Za-z0-9-])',
  ],
  [
    'idNumber',
    'idNumber',
    `${NOT_AFTER_WORD}[1-9]\\d{5}(?:18|19|20)\\d{2}` +
      `(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])\\d{3}[0-9Xx]${NOT_BEFORE_WORD}`,
  ],
  ['bankCard', 'bankCard', `(?<![0-9A-Za-z-])[2-6]\\d{3}(?:[ -]?\\d){9,15}(?![0-9A-Za-z-])`],
  ['mobile', 'phone', `(?<![0-9A-Za-z+])(?:(?:\\+|%2B)?86[ -]?)?1[3-9]\\d(?:[ -]?\\d{4}){2}${NOT_BEFORE_WORD}`],
  ['e164', 'phone', `${NOT_AFTER_WORD}(?:\\+|%2B)[1-9]\\d{7,14}${NOT_BEFORE_WORD}`],
  ['ipv4', 'ip', `(?<![0-9A-Za-z.])${OCTET}(?:\\.${OCTET}){3}(?![0-9.]|\\.\\d)`],
  ['ipv6', 'ip', '(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Fa-f:])'],
];

const GROUPS = SOURCES.map(([group, detector]) => [group, detector] as const);

function compile(enabled: ReadonlySet<DetectorName>): RegExp | null {
  const sources = SOURCES.filter(([, detector]) => enabled.has(detector));
  if (sources.length === 0) return null;
  return new RegExp(sources.map(([group, , source]) => `(?<${group}>${source})`).join('|'), 'g');
}

/** ISO 7064 MOD 11-2: the check character of a Chinese resident ID number. */
function idNumberChecks(digits: string): boolean {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let index = 0; index < 17; index += 1) sum += Number(digits[index]) * weights[index]!;
  return '10X98765432'[sum % 11] === digits[17]!.toUpperCase();
}

/** The Luhn checksum of a card number. */
function luhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

const unescapeUrl = (text: string) => text.replace(/%40/gi, '@').replace(/%2B/gi, '+').replace(/%20/gi, ' ');

/** The canonical form of a match, or null when the match is not a value of its kind after all (a checksum fails). */
function canonical(detector: DetectorName, group: string, text: string): string | null {
  switch (detector) {
    case 'email':
      return unescapeUrl(text).toLowerCase();
    case 'phone':
      return unescapeUrl(text).replace(/[^\d+]/g, '');
    case 'idNumber':
      return idNumberChecks(text) ? text.toUpperCase() : null;
    case 'bankCard': {
      const digits = text.replace(/[ -]/g, '');
      return digits.length >= 13 && digits.length <= 19 && luhn(digits) ? digits : null;
    }
    case 'ip':
      // An IPv6 address has at least three groups written out: `std::` in code is not one.
      if (group !== 'ipv6') return text;
      return isIPv6(text) && text.split(':').filter(Boolean).length >= 3 ? text.toLowerCase() : null;
    case 'secret':
      return unescapeUrl(text);
  }
}

export interface TextScanner {
  /** Every value of the enabled detectors in `text`, in order. */
  scan(text: string): Finding[];
  /** `text` with each value replaced by `replace(finding)`; the same string when nothing was found. */
  replace(text: string, replace: (finding: Finding) => string): string;
}

/** A scanner for the given detectors (default: all). */
export function createTextScanner(detectors: readonly DetectorName[] = DETECTORS): TextScanner {
  const pattern = compile(new Set(detectors));
  // Most texts hold none of what any detector needs: three digits in a row (phones, ID numbers, cards), a digit dot
  // digit (IPv4), an @ (or %40), colons between hex digits (IPv6), or a secret's prefix.
  const worthScanning = (text: string) =>
    pattern !== null &&
    text.length >= 7 &&
    /\d{3}|\d\.\d|@|%40|::|[0-9A-Fa-f]:[0-9A-Fa-f]|-----|earer|eyJ|(?:sk|app|pk|rk|key|dataset)-/.test(text);
  function each(text: string, visit: (finding: Finding) => void): void {
    if (!worthScanning(text)) return;
    pattern!.lastIndex = 0;
    for (let match = pattern!.exec(text); match; match = pattern!.exec(text)) {
      const groups = match.groups!;
      const found = GROUPS.find(([group]) => groups[group] !== undefined);
      if (!found) continue;
      const [group, detector] = found;
      const value = canonical(detector, group, match[0]);
      if (value !== null) visit({ detector, text: match[0], canonical: value, start: match.index });
    }
  }
  return {
    scan(text) {
      const findings: Finding[] = [];
      each(text, (finding) => findings.push(finding));
      return findings;
    },
    replace(text, replace) {
      let result = '';
      let from = 0;
      each(text, (finding) => {
        result += text.slice(from, finding.start) + replace(finding);
        from = finding.start + finding.text.length;
      });
      return from === 0 ? text : result + text.slice(from);
    },
  };
}
