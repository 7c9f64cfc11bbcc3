import type { DeploymentRun } from '@dify-logs/core/adapter-kit';
import { databases, type RunHistory, type RunHistoryOptions } from '@dify-logs/core/adapter-kit';
import { execAll, redisConnection, type RedisOptions } from './connection.js';

const { limitOf, maxLogLinesOf, startedAtMs, keySegment, parseDocument } = databases;

export type RedisRunHistoryOptions = RedisOptions & RunHistoryOptions;

const ADAPTER = 'redis run history';
const PAGE = 200;

/** Appends to the log list only while the run exists, then keeps its last ARGV[1] lines. */
const APPEND_LOGS = `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], unpack(ARGV, 2))
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[1]), -1)
return 1`;

/**
 * Each run is a hash (`<prefix>run:<id>`: the run as JSON, deployment, status), found through sorted
 * sets by start time (`<prefix>runs`, and `<prefix>runs-of:<deployment>` per deployment); its log
 * lines are a list (`<prefix>run-logs:<id>`) trimmed with LTRIM.
 */
export function redisRunHistory(options: RedisRunHistoryOptions): RunHistory {
  const maxLogLines = maxLogLinesOf(options);
  const db = redisConnection(ADAPTER, options);
  const all = `${db.prefix}runs`;
  const runKey = (id: string) => `${db.prefix}run:${keySegment(id)}`;
  const logsKey = (id: string) => `${db.prefix}run-logs:${keySegment(id)}`;
  const deploymentKey = (deployment: string) => `${db.prefix}runs-of:${keySegment(deployment)}`;

  return {
    async save(run) {
      const score = startedAtMs(run);
      const key = runKey(run.id);
      await db.run('save', key, (redis) =>
        execAll(
          redis
            .multi()
            .hset(key, { run: JSON.stringify(run), deployment: run.deployment, status: run.status })
            .zadd(all, score, run.id)
            .zadd(deploymentKey(run.deployment), score, run.id),
        ),
      );
    },
    async appendLogs(id, lines) {
      const kept = lines.slice(-maxLogLines);
      await db.run('append logs to', logsKey(id), async (redis) => {
        // In slices: a Lua script unpacks at most a few thousand arguments.
        for (let start = 0; start < kept.length; start += 1000)
          await redis.eval(APPEND_LOGS, 2, runKey(id), logsKey(id), maxLogLines, ...kept.slice(start, start + 1000));
      });
    },
    async list(query = {}) {
      const limit = limitOf(query);
      const index = query.deployment === undefined ? all : deploymentKey(query.deployment);
      const found: DeploymentRun[] = [];
      const seen = new Set<string>();
      return db.run('list', index, async (redis) => {
        for (let start = 0; found.length < limit; start += PAGE) {
          const ids = await redis.zrevrange(index, start, start + PAGE - 1);
          const stored = await execAll(
            ids.reduce((pipeline, id) => pipeline.hmget(runKey(id), 'run', 'deployment', 'status'), redis.pipeline()),
          );
          for (const [position, id] of ids.entries()) {
            const [run, deployment, status] = stored[position] as Array<string | null>;
            if (run === null || run === undefined || seen.has(id)) continue;
            if (
              (query.deployment !== undefined && deployment !== query.deployment) ||
              (query.status !== undefined && status !== query.status)
            )
              continue;
            seen.add(id);
            found.push(parseDocument(ADAPTER, runKey(id), run) as DeploymentRun);
            if (found.length === limit) break;
          }
          if (ids.length < PAGE) break;
        }
        return found;
      });
    },
    async get(id) {
      const key = runKey(id);
      const [run, logs] = await db.run('read', key, (redis) =>
        execAll(redis.multi().hget(key, 'run').lrange(logsKey(id), 0, -1)),
      );
      return typeof run === 'string'
        ? { run: parseDocument(ADAPTER, key, run) as DeploymentRun, logs: logs as string[] }
        : undefined;
    },
    async prune(before) {
      let deleted = 0;
      return db.run('prune', all, async (redis) => {
        for (;;) {
          const ids = await redis.zrangebyscore(all, '-inf', `(${before.getTime()}`, 'LIMIT', 0, PAGE);
          if (ids.length === 0) return deleted;
          const deployments = await execAll(
            ids.reduce((pipeline, id) => pipeline.hget(runKey(id), 'deployment'), redis.pipeline()),
          );
          const removal = redis.multi();
          for (const [position, id] of ids.entries()) {
            removal.zrem(all, id).del(runKey(id), logsKey(id));
            const deployment = deployments[position];
            if (typeof deployment === 'string') removal.zrem(deploymentKey(deployment), id);
          }
          const replies = await execAll(removal);
          // Count a run when this call took it out of the index (another worker pruning at once takes the rest).
          let reply = 0;
          for (const [position] of ids.entries()) {
            if (replies[reply] === 1) deleted += 1;
            reply += typeof deployments[position] === 'string' ? 3 : 2;
          }
        }
      });
    },
    close: () => db.close(),
  };
}
