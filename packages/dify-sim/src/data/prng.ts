/** Small, fast, seedable hashing and random streams: every datum is a pure function of (seed, app, run, salt). */

const TWO_32 = 4_294_967_296;

export function mix32(value: number): number {
  let hash = value >>> 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

function step(hash: number, part: number): number {
  const low = part >>> 0;
  const high = Math.floor(part / TWO_32) >>> 0;
  let next = mix32((hash ^ Math.imul(low, 0xcc9e2d51)) + 0x6b43a9b5);
  if (high !== 0) next = mix32((next ^ Math.imul(high, 0x1b873593)) + 0x7f4a7c15);
  return next;
}

/** A 32-bit hash of whole numbers (values beyond 32 bits are folded in, both halves). */
export function hash32(...parts: number[]): number {
  let hash = 0x9e3779b9;
  for (const part of parts) hash = step(hash, part);
  return hash;
}

/** `hash32(a, b, c)` without rest arguments. */
export function hash3(a: number, b: number, c: number): number {
  return step(step(step(0x9e3779b9, a), b), c);
}

/** `hash32(a, b, c, d)` without rest arguments. */
export function hash4(a: number, b: number, c: number, d: number): number {
  return step(step(step(step(0x9e3779b9, a), b), c), d);
}

/** `unit(a, b, c, d, e)` without rest arguments, for loops over millions of runs. */
export function unit5(a: number, b: number, c: number, d: number, e: number): number {
  return step(step(step(step(step(0x9e3779b9, a), b), c), d), e) / TWO_32;
}

/** A hash in [0, 1). */
export function unit(...parts: number[]): number {
  return hash32(...parts) / TWO_32;
}

/** FNV-1a of a string, for turning names into salts. */
export function stringHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export interface Random {
  /** [0, 1) */
  next(): number;
  /** Whole number in [low, high]. */
  int(low: number, high: number): number;
  /** Float in [low, high). */
  float(low: number, high: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
  /** 32 random bits. */
  bits(): number;
}

/** mulberry32 stream. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const bits = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return (value ^ (value >>> 14)) >>> 0;
  };
  const next = () => bits() / TWO_32;
  return {
    next,
    bits,
    int: (low, high) => low + Math.floor(next() * (high - low + 1)),
    float: (low, high) => low + next() * (high - low),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    chance: (probability) => next() < probability,
  };
}

/** Rounds to `digits` decimals (for elapsed times and prices). */
export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
