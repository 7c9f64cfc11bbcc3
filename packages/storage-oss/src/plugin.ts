import { DifyConfigError } from '@dify-logs/core';
import { configValues, definePlugin, z } from '@dify-logs/core/adapter-kit';

const { nonEmpty, secretText } = configValues;

/** `storage.oss`. */
export const ossSection = z.strictObject({
  endpoint: nonEmpty.optional(),
  region: nonEmpty.optional(),
  accessKeyId: nonEmpty,
  accessKeySecret: secretText,
  stsToken: secretText.optional(),
  bucket: nonEmpty,
  prefix: nonEmpty.optional(),
});

/** `storage.type: oss`: Aliyun OSS. ali-oss loads when the storage is created. */
export const plugin = definePlugin({
  kind: 'storage',
  type: 'oss',
  description: 'Aliyun OSS',
  schema: ossSection,
  env: [
    { name: 'OSS_ENDPOINT', key: 'storage.oss.endpoint', description: 'Aliyun OSS endpoint', required: true },
    {
      name: 'OSS_ACCESS_KEY_ID',
      key: 'storage.oss.accessKeyId',
      description: 'Aliyun OSS access key id',
      required: true,
    },
    {
      name: 'OSS_ACCESS_KEY_SECRET',
      key: 'storage.oss.accessKeySecret',
      description: 'Aliyun OSS access key secret',
      required: true,
    },
    { name: 'OSS_BUCKET_NAME', key: 'storage.oss.bucket', description: 'Aliyun OSS bucket', required: true },
    {
      name: 'OSS_REGION',
      key: 'storage.oss.region',
      description: 'Aliyun OSS region, e.g. oss-cn-hangzhou (V4 signing)',
    },
    { name: 'OSS_PREFIX', key: 'storage.oss.prefix', description: 'key prefix in the OSS bucket' },
  ],
  async create(oss: z.output<typeof ossSection>) {
    if (!oss.endpoint && !oss.region)
      throw new DifyConfigError(
        'storage.oss.endpoint',
        'or storage.oss.region is required (OSS_ENDPOINT / OSS_REGION)',
      );
    const { createOssStorage } = await import('./oss-storage.js');
    return createOssStorage({
      bucket: oss.bucket,
      accessKeyId: oss.accessKeyId,
      accessKeySecret: oss.accessKeySecret,
      ...(oss.stsToken ? { stsToken: oss.stsToken } : {}),
      ...(oss.endpoint ? { endpoint: oss.endpoint } : {}),
      ...(oss.region ? { region: oss.region } : {}),
      ...(oss.prefix ? { prefix: oss.prefix } : {}),
    });
  },
});
