import { multiWorkerSuite } from './multi-worker.js';
import { PG_URL } from './servers.js';

multiWorkerSuite('PostgreSQL', PG_URL, (id) => `mw${id}_`);
