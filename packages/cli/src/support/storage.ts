import { DifyConfigError, type DifyLogsConfig, type StorageAdapter, type StorageKind } from '@dify-logs/core';
import { createLocalStorage } from '@dify-logs/storage-local';
import { resolve } from 'node:path';
import { UsageError } from './exit-codes.js';

/**
 * The configured storage: local disk, S3 (`storage.s3`) or Aliyun OSS (`storage.oss`). `baseDir` is the
 * local folder (also where the state file lives by default, whatever the storage type). The S3 and OSS
 * packages are loaded only when configured: the AWS SDK and ali-oss cost startup time otherwise.
 */
export async function openStorage(config: DifyLogsConfig, cwd: string): Promise<{ storage: StorageAdapter; baseDir: string }> {
  const baseDir = resolve(cwd, config.storage.baseDir);
  const { s3, oss } = config.storage;
  switch (config.storage.type) {
    case 'local':
      return { storage: createLocalStorage({ baseDir }), baseDir };
    case 's3': {
      if (!s3) throw new DifyConfigError('storage.s3', 'is required with storage.type s3 (at least storage.s3.bucket, or S3_BUCKET)');
      const { createS3Storage } = await import('@dify-logs/storage-s3');
      const credentials = s3.accessKeyId && s3.secretAccessKey ? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, ...(s3.sessionToken ? { sessionToken: s3.sessionToken } : {}) } : undefined;
      return {
        storage: createS3Storage({ bucket: s3.bucket, ...(s3.prefix ? { prefix: s3.prefix } : {}), ...(s3.region ? { region: s3.region } : {}), ...(s3.endpoint ? { endpoint: s3.endpoint } : {}), ...(s3.forcePathStyle !== undefined ? { forcePathStyle: s3.forcePathStyle } : {}), ...(credentials ? { credentials } : {}) }),
        baseDir,
      };
    }
    case 'oss': {
      if (!oss) throw new DifyConfigError('storage.oss', 'is required with storage.type oss (OSS_ENDPOINT or OSS_REGION, OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, OSS_BUCKET_NAME)');
      if (!oss.endpoint && !oss.region) throw new DifyConfigError('storage.oss.endpoint', 'or storage.oss.region is required (OSS_ENDPOINT / OSS_REGION)');
      const { createOssStorage } = await import('@dify-logs/storage-oss');
      return {
        storage: createOssStorage({ bucket: oss.bucket, accessKeyId: oss.accessKeyId, accessKeySecret: oss.accessKeySecret, ...(oss.stsToken ? { stsToken: oss.stsToken } : {}), ...(oss.endpoint ? { endpoint: oss.endpoint } : {}), ...(oss.region ? { region: oss.region } : {}), ...(oss.prefix ? { prefix: oss.prefix } : {}) }),
        baseDir,
      };
    }
  }
}

export function parseKind(value: string | undefined): StorageKind | undefined {
  if (value === undefined || value === 'report' || value === 'data') return value;
  throw new UsageError(`--kind must be report or data, got ${JSON.stringify(value)}`);
}

/** `512 B`, `1.5 KiB`, `12.0 MiB`. */
export function humanSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
