export { createLocalStorage, type LocalStorageOptions } from './local-storage.js';
export { plugin } from './plugin.js';
