export { createLocalStorage, type LocalStorageOptions } from './local-storage.js';
