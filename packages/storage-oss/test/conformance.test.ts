import * as vitest from 'vitest';
import OSS from 'ali-oss';
import type { StorageAdapter } from '@dify-logs/core/adapter-kit';
import { testStorageAdapter } from '@dify-logs/core/testing';
import { afterAll, describe } from 'vitest';
import { createOssStorage, type OssStorageOptions } from '../src/index.js';
import { startOssServer } from './oss-server.js';

// The OSS protocol test server (signatures checked, objects in memory), one per test file.
const server = await startOssServer();
afterAll(() => server.close());

const local = (authorizationV4: boolean): OssStorageOptions => ({
  endpoint: server.endpoint,
  region: server.region,
  pathStyle: true,
  bucket: server.bucket,
  accessKeyId: server.accessKeyId,
  accessKeySecret: server.accessKeySecret,
  authorizationV4,
});

testStorageAdapter(vitest, {
  name: 'oss (test server, V4 signatures)',
  create: () => createOssStorage(local(true)),
  cleanup: () => server.reset(),
});

testStorageAdapter(vitest, {
  name: 'oss (test server, V1 signatures)',
  create: () => createOssStorage(local(false)),
  cleanup: () => server.reset(),
  skip: {
    cleanup: 'run with V4 above; V1 DeleteMultipleObjects is checked in oss.test.ts',
    failedBody: 'run with V4 above; V1 multipart aborts are checked in oss.test.ts',
  },
});

// Real Aliyun OSS, when the seed's OSS_* variables are set: the same suite under a unique prefix.
const env = process.env;
const missing = ['OSS_ENDPOINT', 'OSS_ACCESS_KEY_ID', 'OSS_ACCESS_KEY_SECRET', 'OSS_BUCKET_NAME'].filter(
  (name) => !env[name],
);
const real = missing.length === 0;
const runPrefix = `dify-logs-test/${new Date().toISOString().slice(0, 10)}-${process.pid}-${Date.now().toString(36)}`;
let tests = 0;
const prefixes = new WeakMap<StorageAdapter, string>();

function realOptions(prefix: string): OssStorageOptions {
  return {
    endpoint: env.OSS_ENDPOINT!,
    ...(env.OSS_REGION ? { region: env.OSS_REGION } : {}),
    bucket: env.OSS_BUCKET_NAME!,
    accessKeyId: env.OSS_ACCESS_KEY_ID!,
    accessKeySecret: env.OSS_ACCESS_KEY_SECRET!,
    prefix,
  };
}

/** Deletes every object and unfinished multipart upload under a prefix, with a client of its own. */
async function emptyPrefix(prefix: string): Promise<void> {
  const endpoint = env.OSS_ENDPOINT!;
  const admin = new OSS({
    endpoint: /^https?:\/\//.test(endpoint) ? endpoint : `https://${endpoint}`,
    bucket: env.OSS_BUCKET_NAME!,
    accessKeyId: env.OSS_ACCESS_KEY_ID!,
    accessKeySecret: env.OSS_ACCESS_KEY_SECRET!,
    ...(env.OSS_REGION ? { region: env.OSS_REGION } : {}),
  });
  const uploads = await admin.listUploads({ prefix: `${prefix}/`, 'max-uploads': 1000 });
  for (const upload of uploads.uploads ?? []) await admin.abortMultipartUpload(upload.name, upload.uploadId);
  let token: string | undefined;
  do {
    const page = await admin.listV2({
      prefix: `${prefix}/`,
      'max-keys': 1000,
      ...(token ? { 'continuation-token': token } : {}),
    });
    const names = (page.objects ?? []).map((object) => object.name);
    if (names.length > 0) await admin.deleteMulti(names, { quiet: true });
    token = page.isTruncated ? page.nextContinuationToken : undefined;
  } while (token);
}

(real ? describe : describe.skip)(
  real
    ? `real Aliyun OSS (bucket ${env.OSS_BUCKET_NAME}, prefix ${runPrefix})`
    : `real Aliyun OSS (skipped: set ${missing.join(', ')} to run the suite against a bucket)`,
  () => {
    testStorageAdapter(vitest, {
      name: 'oss (Aliyun)',
      create: () => {
        const prefix = `${runPrefix}/${(tests += 1)}`;
        const adapter = createOssStorage(realOptions(prefix));
        prefixes.set(adapter, prefix);
        return adapter;
      },
      cleanup: async (adapter) => {
        const prefix = prefixes.get(adapter);
        if (prefix) await emptyPrefix(prefix);
      },
    });
  },
);
