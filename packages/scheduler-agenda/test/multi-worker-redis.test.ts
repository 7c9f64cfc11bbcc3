import { multiWorkerSuite } from './multi-worker.js';
import { REDIS_URL } from './servers.js';

multiWorkerSuite('Redis', REDIS_URL, (id) => `dify-logs-test:mw${id}:`);
