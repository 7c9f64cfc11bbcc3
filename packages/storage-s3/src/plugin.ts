import { configValues, definePlugin, z } from '@dify-logs/core/adapter-kit';

const { nonEmpty, secretText, httpUrl, flag } = configValues;

/** `storage.s3`: without keys the AWS SDK's default chain (AWS_* variables, profiles, roles) is used. */
export const s3Section = z.strictObject({
  bucket: nonEmpty,
  prefix: nonEmpty.optional(),
  region: nonEmpty.optional(),
  endpoint: httpUrl.optional(),
  forcePathStyle: flag.optional(),
  accessKeyId: nonEmpty.optional(),
  secretAccessKey: secretText.optional(),
  sessionToken: secretText.optional(),
});

/** `storage.type: s3`: AWS S3 and S3-compatible stores. The AWS SDK loads when the storage is created. */
export const plugin = definePlugin({
  kind: 'storage',
  type: 's3',
  description: 'AWS S3 and S3-compatible object stores',
  schema: s3Section,
  env: [
    { name: 'S3_BUCKET', key: 'storage.s3.bucket', description: 'S3 bucket', required: true },
    { name: 'S3_PREFIX', key: 'storage.s3.prefix', description: 'key prefix in the S3 bucket' },
    { name: 'S3_REGION', key: 'storage.s3.region', description: 'S3 region' },
    {
      name: 'S3_ENDPOINT',
      key: 'storage.s3.endpoint',
      description: 'S3-compatible endpoint (credentials: the AWS_* variables)',
    },
    { name: 'S3_FORCE_PATH_STYLE', key: 'storage.s3.forcePathStyle', description: 'true for path-style addressing' },
  ],
  async create(s3: z.output<typeof s3Section>) {
    const { createS3Storage } = await import('./s3-storage.js');
    const credentials =
      s3.accessKeyId && s3.secretAccessKey
        ? {
            accessKeyId: s3.accessKeyId,
            secretAccessKey: s3.secretAccessKey,
            ...(s3.sessionToken ? { sessionToken: s3.sessionToken } : {}),
          }
        : undefined;
    return createS3Storage({
      bucket: s3.bucket,
      ...(s3.prefix ? { prefix: s3.prefix } : {}),
      ...(s3.region ? { region: s3.region } : {}),
      ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
      ...(s3.forcePathStyle !== undefined ? { forcePathStyle: s3.forcePathStyle } : {}),
      ...(credentials ? { credentials } : {}),
    });
  },
});
