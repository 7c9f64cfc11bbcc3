export { createS3Storage } from './s3-storage.js';
export type { S3Credentials, S3StorageOptions } from './s3-options.js';
export { plugin } from './plugin.js';
