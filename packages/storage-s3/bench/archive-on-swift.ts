// Archive benchmark against OpenStack Swift (S3 API, real signatures): starts Swift with the test helper,
// creates a bucket, runs packages/cli/bench/archive-bench.mjs --target s3. After a build:
//   examples/node_modules/.bin/tsx packages/storage-s3/bench/archive-on-swift.ts 20000,100000
import { execFileSync } from 'node:child_process';
import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { startSwift } from '../test/swift.js';
const started = await startSwift();
if (!started.server) {
  console.error(started.skipReason);
  process.exit(1);
}
const s = started.server;
const client = new S3Client({
  endpoint: s.endpoint,
  region: s.region,
  forcePathStyle: true,
  credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
});
await client.send(new CreateBucketCommand({ Bucket: 'bench' })).catch(() => undefined);
const env = {
  ...process.env,
  S3_ENDPOINT: s.endpoint,
  S3_BUCKET: 'bench',
  S3_REGION: s.region,
  AWS_ACCESS_KEY_ID: s.accessKeyId,
  AWS_SECRET_ACCESS_KEY: s.secretAccessKey,
};
const out = execFileSync(
  process.execPath,
  [
    'new URL("../../cli/bench/archive-bench.mjs", import.meta.url).pathname',
    '--target',
    's3',
    '--runs',
    process.argv[2] ?? '20000,100000',
  ],
  { env, encoding: 'utf8' },
);
console.log(out);
await s.stop();
