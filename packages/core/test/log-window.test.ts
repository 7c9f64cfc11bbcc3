import { describe, expect, it } from 'vitest';
import { keepBoundary } from '../src/export/log-window.js';

describe('keepBoundary', () => {
  it('keeps only ids the next query can return again, so memory does not grow with the window', () => {
    const seen = new Map<string, number>();
    for (let second = 1000; second >= 900; second -= 1) seen.set(`id-${second}`, second);
    const kept = keepBoundary(seen, 900);
    expect([...kept.keys()].sort()).toEqual(['id-900', 'id-901']);
  });
});
