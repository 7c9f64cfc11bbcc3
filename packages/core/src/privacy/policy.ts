import { createHmac } from 'node:crypto';
import { DifyConfigError } from '../errors/config-error.js';
import type { ConversationRecord, MessageRecord } from '../records/chat.js';
import type { NodeRecord, RunRecord } from '../records/schema.js';
import { DETECTORS, createTextScanner, type DetectorName, type Finding } from './detectors.js';

/** What happens to a value a detector found: a recognisable shape, a keyed token, or nothing at all. */
export type PrivacyAction = 'mask' | 'hash' | 'drop';
/**
 * What happens to the end-user fields (`endUserSessionId`, `accountEmail`, a conversation's `accountName`): `scan`
 * like any text (an e-mail address used as a session id is masked), `keep` as they are, `hash` to a keyed token (one
 * per person, so per-user counts still work), `drop` (null).
 */
export type EndUserAction = 'scan' | 'keep' | 'hash' | 'drop';

export interface PrivacyOptions {
  /** `false` turns every rule off. Default true. */
  enabled?: boolean;
  /** Default `mask`. */
  action?: PrivacyAction;
  /** The HMAC-SHA256 key of `hash` (and of `endUser: hash`): the same value gives the same token under one key. */
  key?: string;
  /** Which detectors run (default all). */
  detect?: readonly DetectorName[];
  /**
   * Field paths, relative to a record (`inputs.password`, `outputs.*.raw`, `nodes.*.processData`; `*` is any key or
   * position): `drop` always become `[redacted]`, `keep` are never touched (not even scanned).
   */
  fields?: { drop?: readonly string[]; keep?: readonly string[] };
  /** Default `scan`. */
  endUser?: EndUserAction;
}

/** The policy a report states it was made under. */
export interface PrivacyStatement {
  enabled: boolean;
  action: PrivacyAction;
  detectors: DetectorName[];
  dropped: string[];
  kept: string[];
  endUser: EndUserAction;
}

export interface PrivacyPolicy {
  readonly statement: PrivacyStatement;
  /** A text with every value found replaced. */
  text(value: string): string;
  run(record: RunRecord): RunRecord;
  message(record: MessageRecord): MessageRecord;
  conversation(record: ConversationRecord): ConversationRecord;
  /**
   * An end user's identifier as records made under this policy hold it: as it is, masked, hashed, or null (dropped).
   */
  endUser(value: string): string | null;
}

export const REDACTED_VALUE = '[redacted]';

type Path = readonly string[];
const parsePath = (path: string): Path => path.split('.').filter(Boolean);
const matches = (pattern: Path, path: Path) =>
  pattern.length === path.length && pattern.every((segment, index) => segment === '*' || segment === path[index]);

/** `l***@example-corp.cn`, `139****5678`, `110105********002X`, `**** **** **** 1234`, `192.168.*.*`, `sk-***`. */
function mask(finding: Finding): string {
  const { detector, text } = finding;
  switch (detector) {
    case 'email': {
      const at = text.search(/@|%40/i);
      return `${text[0]}***${text.slice(at)}`;
    }
    case 'phone': {
      // The country code as written, then the first three and the last four digits (separators kept).
      const prefix = /^(?:(?:\+|%2B)86[ -]?|86[ -]?(?=1)|\+|%2B)/i.exec(text)?.[0] ?? '';
      const rest = text.slice(prefix.length);
      const total = rest.replace(/\D/g, '').length;
      let seen = 0;
      return prefix + rest.replace(/\d/g, (digit) => ((seen += 1), seen <= 3 || seen > total - 4 ? digit : '*'));
    }
    case 'idNumber':
      return `${text.slice(0, 6)}${'*'.repeat(8)}${text.slice(14)}`;
    case 'bankCard': {
      const total = text.replace(/\D/g, '').length;
      let seen = 0;
      return text.replace(/\d/g, (digit) => ((seen += 1), seen > total - 4 ? digit : '*'));
    }
    case 'ip':
      return text.includes(':')
        ? `${text.split(':').slice(0, 2).join(':')}:*`
        : `${text.split('.').slice(0, 2).join('.')}.*.*`;
    case 'secret': {
      const prefix =
        /^(?:-----BEGIN [A-Z ]*PRIVATE KEY-----|[Bb]earer(?:\s|%20)+|eyJ|(?:sk|app|pk|rk|key|dataset)-)/.exec(
          text,
        )?.[0];
      return `${prefix?.startsWith('-----') ? '[private key]' : `${prefix ?? ''}***`}`;
    }
  }
}

/** A policy from its options (the `privacy` configuration section): see `PrivacyOptions`. */
export function createPrivacyPolicy(options: PrivacyOptions = {}): PrivacyPolicy {
  const enabled = options.enabled ?? true;
  const action = options.action ?? 'mask';
  const endUser = options.endUser ?? 'scan';
  if ((action === 'hash' || endUser === 'hash') && enabled && !options.key)
    throw new DifyConfigError('privacy.key', 'is required to hash values (action: hash or endUser: hash)');
  const detectors = enabled ? [...(options.detect ?? DETECTORS)] : [];
  const scanner = createTextScanner(detectors);
  const dropped = (options.fields?.drop ?? []).map(parsePath);
  const kept = (options.fields?.keep ?? []).map(parsePath);
  const token = (kind: string, canonical: string) =>
    `${kind}:${createHmac('sha256', options.key!).update(`${kind}\u0000${canonical}`).digest('hex').slice(0, 16)}`;

  const replace = (finding: Finding) =>
    action === 'mask'
      ? mask(finding)
      : action === 'hash'
        ? `[${token(finding.detector, finding.canonical)}]`
        : REDACTED_VALUE;
  const text = (value: string) => (enabled ? scanner.replace(value, replace) : value);

  const rules = dropped.length > 0 || kept.length > 0;

  /**
   * A value at `path` (relative to its record; null when no field rule needs it) after the field rules and the
   * detectors. Copy on write: a list or object where nothing changed is returned as it was.
   */
  function value(input: unknown, path: string[] | null): unknown {
    if (path !== null) {
      if (kept.some((pattern) => matches(pattern, path))) return input;
      if (dropped.some((pattern) => matches(pattern, path)))
        return input === null || input === undefined ? input : REDACTED_VALUE;
    }
    if (typeof input === 'string') return text(input);
    if (input === null || typeof input !== 'object') return input;
    if (Array.isArray(input)) {
      let copy: unknown[] | undefined;
      for (let index = 0; index < input.length; index += 1) {
        const item: unknown = input[index];
        const next = value(item, path === null ? null : [...path, String(index)]);
        if (next !== item) (copy ??= input.slice())[index] = next;
      }
      return copy ?? input;
    }
    let copy: Record<string, unknown> | undefined;
    for (const key in input) {
      const item = (input as Record<string, unknown>)[key];
      const next = value(item, path === null ? null : [...path, key]);
      if (next !== item) (copy ??= { ...(input as Record<string, unknown>) })[key] = next;
    }
    return copy ?? input;
  }

  /** The listed fields of `record` through `value`; the record itself when none changed. */
  function fieldsOf<T extends object>(record: T, names: ReadonlyArray<keyof T & string>, base: string[] = []): T {
    let result: T | undefined;
    for (const name of names) {
      if (!(name in record)) continue;
      const next = value(record[name], rules ? [...base, name] : null) as T[typeof name];
      if (next !== record[name]) (result ??= { ...record })[name] = next;
    }
    return result ?? record;
  }

  function person(input: string | null): string | null {
    if (input === null || endUser === 'keep') return input;
    if (endUser === 'scan') return text(input);
    return endUser === 'drop' ? null : token('user', input);
  }

  const node = (record: NodeRecord, index: number): NodeRecord =>
    fieldsOf(record, ['title', 'error', 'inputs', 'outputs', 'processData'], rules ? ['nodes', String(index)] : []);

  const active = enabled && (detectors.length > 0 || dropped.length > 0 || endUser === 'hash' || endUser === 'drop');
  return {
    statement: {
      enabled: active,
      action,
      detectors,
      dropped: options.fields?.drop ? [...options.fields.drop] : [],
      kept: options.fields?.keep ? [...options.fields.keep] : [],
      endUser,
    },
    text,
    endUser: (value) => (active ? person(value) : value),
    run(record) {
      if (!active) return record;
      let result = fieldsOf(record, ['error', 'inputs', 'outputs', 'pause']);
      const change = <K extends keyof RunRecord>(key: K, next: RunRecord[K]) => {
        if (next !== result[key]) {
          if (result === record) result = { ...record };
          result[key] = next;
        }
      };
      if (record.nodes) {
        let nodes: NodeRecord[] | undefined;
        record.nodes.forEach((each, index) => {
          const next = node(each, index);
          if (next !== each) (nodes ??= record.nodes!.slice())[index] = next;
        });
        if (nodes) change('nodes', nodes);
      }
      change('endUserSessionId', person(record.endUserSessionId));
      change('accountEmail', person(record.accountEmail));
      return result;
    },
    message(record) {
      if (!active) return record;
      return fieldsOf(record, ['query', 'answer', 'annotation', 'error', 'extraContents']);
    },
    conversation(record) {
      if (!active) return record;
      const named = fieldsOf(record, ['name']);
      const endUserSessionId = person(record.endUserSessionId);
      const accountName = person(record.accountName);
      return endUserSessionId === record.endUserSessionId && accountName === record.accountName
        ? named
        : { ...named, endUserSessionId, accountName };
    },
  };
}

const DETECTOR_WORDS: Record<DetectorName, string> = {
  email: 'e-mail addresses',
  phone: 'phone numbers',
  idNumber: 'ID numbers',
  bankCard: 'bank cards',
  ip: 'IP addresses',
  secret: 'secrets',
};

/** The policy in one sentence, for reports: `Personal data: e-mail addresses, phone numbers … masked; …`. */
export function describePrivacy(statement: PrivacyStatement): string {
  if (!statement.enabled) return 'Personal data: not protected (privacy.enabled is false).';
  const done = { mask: 'masked', hash: 'hashed (HMAC-SHA256)', drop: 'removed' }[statement.action];
  const parts = [
    statement.detectors.length > 0
      ? `${statement.detectors.map((name) => DETECTOR_WORDS[name]).join(', ')} ${done}`
      : 'no detector',
    ...(statement.dropped.length > 0 ? [`fields removed: ${statement.dropped.join(', ')}`] : []),
    ...(statement.kept.length > 0 ? [`fields left as they are: ${statement.kept.join(', ')}`] : []),
    ...(statement.endUser === 'scan'
      ? []
      : [`end users ${{ keep: 'kept', hash: 'hashed', drop: 'removed' }[statement.endUser]}`]),
  ];
  return `Personal data: ${parts.join('; ')}.`;
}
