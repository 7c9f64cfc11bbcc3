export { createOssStorage } from './oss-storage.js';
export type { OssStorageOptions } from './oss-options.js';
export { plugin } from './plugin.js';
