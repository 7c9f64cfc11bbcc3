import { EMPTY_APP_STATE, type AppState, type StateStore } from '../adapters/state.js';
import { memoryRunCache } from './memory-run-cache.js';

/** Keeps state in memory: for tests and one-off runs. */
export function memoryStateStore(): StateStore & { snapshot(): Record<string, AppState> } {
  const states = new Map<string, AppState>();
  const documents = new Map<string, unknown>();
  const id = (job: string, app: string) => `${job}\u0000${app}`;
  return {
    name: 'memory',
    runs: memoryRunCache(),
    async read(job, app) {
      return structuredClone(states.get(id(job, app)) ?? { ...EMPTY_APP_STATE, recent: {}, pending: {} });
    },
    async commit(job, app, state) {
      states.set(id(job, app), structuredClone(state));
    },
    async readDocument(key) {
      return structuredClone(documents.get(key));
    },
    async writeDocument(key, value) {
      documents.set(key, structuredClone(value));
    },
    snapshot: () =>
      Object.fromEntries([...states].map(([key, value]) => [key.replace('\u0000', '/'), structuredClone(value)])),
  };
}
