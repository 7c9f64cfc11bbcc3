// The first-party plugins, from their packages' sources: the configuration tests check core's loading against the
// sections, types and variables the real adapters declare (core cannot depend on them as a package: they depend on core).
import { createPluginRegistry } from '../../src/plugins/registry.js';
import { plugin as dingtalk } from '../../../notifier-dingtalk/src/plugin.js';
import { plugin as email } from '../../../notifier-email/src/plugin.js';
import { plugin as feishu } from '../../../notifier-feishu/src/plugin.js';
import { plugin as slack } from '../../../notifier-slack/src/plugin.js';
import { plugin as webhook } from '../../../notifier-webhook/src/plugin.js';
import { plugin as wecom } from '../../../notifier-wecom/src/plugin.js';
import { plugin as parquet } from '../../../parquet/src/plugin.js';
import { plugins as reports } from '../../../reports/src/plugin.js';
import { plugin as agenda } from '../../../scheduler-agenda/src/plugin.js';
import { plugin as mongodb } from '../../../sink-mongodb/src/plugin.js';
import { plugin as postgres } from '../../../sink-postgres/src/plugin.js';
import { plugin as local } from '../../../storage-local/src/plugin.js';
import { plugin as oss } from '../../../storage-oss/src/plugin.js';
import { plugin as s3 } from '../../../storage-s3/src/plugin.js';

export const FIRST_PARTY = createPluginRegistry([local, s3, oss, email, dingtalk, wecom, feishu, slack, webhook, postgres, mongodb, ...reports, parquet, agenda]);
