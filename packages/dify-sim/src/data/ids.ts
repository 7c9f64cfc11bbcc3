import { hash3, hash32, hash4 } from './prng.js';

/** What a run id stands for: kind 1 = production run (log index), kind 2 = debugging run. */
export interface RunRef {
  kind: number;
  appIndex: number;
  index: number;
}

export const RUN_KIND_PRODUCTION = 1;
export const RUN_KIND_DEBUG = 2;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID_PATTERN.test(text);
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function word(value: number): string {
  return HEX[(value >>> 24) & 0xff]! + HEX[(value >>> 16) & 0xff]! + HEX[(value >>> 8) & 0xff]! + HEX[value & 0xff]!;
}

/** Formats four 32-bit words as a UUID string. */
function format(w0: number, w1: number, w2: number, w3: number): string {
  const second = word(w1);
  const third = word(w2);
  return `${word(w0)}-${second.slice(0, 4)}-${second.slice(4)}-${third.slice(0, 4)}-${third.slice(4)}${word(w3)}`;
}

/** A deterministic UUID v4 from any whole numbers. */
export function deriveUuid(...parts: number[]): string {
  const w1 = hash32(...parts, 0x55aa0001);
  const w2 = hash32(...parts, 0x55aa0002);
  return format(
    hash32(...parts, 0x55aa0000),
    (w1 & 0xffff0fff) | 0x4000,
    ((w2 & 0x3fffffff) | 0x80000000) >>> 0,
    hash32(...parts, 0x55aa0003),
  );
}

/**
 * Run ids are UUID v4 strings that can be turned back into (kind, app, index) without any table:
 * a 4-round Feistel permutation keyed by the seed scrambles the reference, and 48 bits of keyed
 * checksum reject ids the simulator never issued.
 */
export function encodeRunId(key: number, ref: RunRef): string {
  let left = (((ref.kind & 0xff) << 24) | ((ref.appIndex & 0xff) << 16)) >>> 0;
  let right = ref.index >>> 0;
  for (let round = 0; round < 4; round += 1) {
    const next = (left ^ hash3(key, round, right)) >>> 0;
    left = right;
    right = next;
  }
  const mac = hash4(key, 0x51, left, right);
  const mac2 = hash4(key, 0x52, left, right);
  // Byte layout: mac(4) | L0 L1 (0x40|m) L2 | (0x80|m) L3 R0 R1 | R2 R3 m m
  const w1 = (left & 0xffff0000) | ((0x40 | (mac2 & 0x0f)) << 8) | ((left >>> 8) & 0xff);
  const w2 = ((0x80 | ((mac2 >>> 4) & 0x3f)) << 24) | ((left & 0xff) << 16) | (right >>> 16);
  const w3 = ((right & 0xffff) << 16) | (((mac2 >>> 16) & 0xff) << 8) | ((mac2 >>> 24) & 0xff);
  return format(mac, w1, w2, w3);
}

export function decodeRunId(key: number, id: string): RunRef | undefined {
  if (!isUuid(id)) return undefined;
  const text = id.replace(/-/g, '').toLowerCase();
  const bytes: number[] = [];
  for (let offset = 0; offset < 32; offset += 2) bytes.push(Number.parseInt(text.slice(offset, offset + 2), 16));
  const byte = (index: number) => bytes[index] ?? 0;
  const cipher = [byte(4), byte(5), byte(7), byte(9), byte(10), byte(11), byte(12), byte(13)];
  let left = ((cipher[0]! << 24) | (cipher[1]! << 16) | (cipher[2]! << 8) | cipher[3]!) >>> 0;
  let right = ((cipher[4]! << 24) | (cipher[5]! << 16) | (cipher[6]! << 8) | cipher[7]!) >>> 0;
  const mac = hash4(key, 0x51, left, right);
  const mac2 = hash4(key, 0x52, left, right);
  const macOk =
    ((byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3)) >>> 0 === mac &&
    byte(6) === (0x40 | (mac2 & 0x0f)) &&
    byte(8) === (0x80 | ((mac2 >>> 4) & 0x3f)) &&
    byte(14) === ((mac2 >>> 16) & 0xff) &&
    byte(15) === ((mac2 >>> 24) & 0xff);
  if (!macOk) return undefined;
  for (let round = 3; round >= 0; round -= 1) {
    const previous = (right ^ hash3(key, round, left)) >>> 0;
    right = left;
    left = previous;
  }
  if ((left & 0xffff) !== 0) return undefined;
  return { kind: left >>> 24, appIndex: (left >>> 16) & 0xff, index: right };
}
