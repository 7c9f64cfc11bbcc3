/**
 * The test runner a conformance suite registers its tests with: Vitest (`import * as vitest from 'vitest'`) or Jest
 * (`import { describe, it, expect, beforeEach, afterEach } from '@jest/globals'`). Core depends on neither: the suites
 * use only what is typed here.
 */
export interface RunnerMatchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toMatchObject(expected: object): void;
  toContain(expected: unknown): void;
  toContainEqual(expected: unknown): void;
  toHaveLength(length: number): void;
  toHaveProperty(property: string): void;
  toBeUndefined(): void;
  toBeNull(): void;
  toBeLessThan(value: number): void;
  toBeLessThanOrEqual(value: number): void;
  toBeGreaterThanOrEqual(value: number): void;
  not: RunnerMatchers;
  resolves: { toBeUndefined(): Promise<void> };
  rejects: { toThrow(expected?: string | RegExp): Promise<void> };
}

/** What a test body receives: `skip` marks the test skipped, with the reason (Vitest's and Jest's context). */
export interface RunnerTestContext {
  skip(note?: string): never;
}

export type RunnerTest = (name: string, body: (context: RunnerTestContext) => unknown, timeout?: number) => void;

export interface TestRunner {
  describe(name: string, body: () => void): void;
  it: RunnerTest & { skip: RunnerTest };
  expect(actual: unknown, message?: string): RunnerMatchers;
  beforeEach(hook: () => unknown): void;
  afterEach(hook: () => unknown): void;
}
