// `pnpm bench explorer [--runs N] [--keep DIR]`: archives N synthetic runs (default 1,000,000; nodes on 20%) into a
// local archive, then indexes it with the explorer in a fresh process and times the API: index build rate and peak
// RSS, a filtered list (p95), a run page, a full-text search. Needs the packages built (`pnpm build`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = argv.indexOf(`--${name}`);
  return at === -1 ? fallback : argv[at + 1];
};
const RUNS = Number(flag('runs', 1_000_000));
const APPS = 5;
const DAYS = 100;
const self = fileURLToPath(import.meta.url);

async function generate(baseDir, count) {
  const { createArchiveWriter } = await import('@dify-logs/core/archive');
  const { createLocalStorage } = await import('@dify-logs/storage-local');
  const storage = createLocalStorage({ baseDir });
  // One pipeline run per day, as a daily job archives them.
  let writer;
  let writerDay;
  // Day by day, app by app (as a daily job archives them), runs spread over the day.
  const perPartition = Math.ceil(count / (DAYS * APPS));
  for (let index = 0; index < count; index += 1) {
    const partition = Math.floor(index / perPartition);
    const dayStart = Date.parse('2026-01-01T00:00:00.000Z') + Math.floor(partition / APPS) * 86_400_000;
    const appId = `app-${partition % APPS}`;
    const created = new Date(dayStart + Math.floor(((index % perPartition) * 86_400_000) / perPartition)).toISOString();
    if (created.slice(0, 10) !== writerDay) {
      await writer?.finish();
      writerDay = created.slice(0, 10);
      writer = createArchiveWriter(storage, {
        job: 'daily',
        runId: `bench-${writerDay}`,
        window: { from: `${writerDay}T00:00:00.000Z`, to: new Date(Date.parse(writerDay) + 86_400_000).toISOString() },
      });
    }
    const failed = index % 17 === 0;
    const nodes =
      index % 5 === 0
        ? Array.from({ length: 5 }, (_, position) => ({
            id: `ne-${index}-${position}`,
            nodeId: ['start', 'retrieve', 'llm', 'code', 'end'][position],
            nodeType: ['start', 'knowledge-retrieval', 'llm', 'code', 'end'][position],
            title: ['开始', 'Retrieve', '工单分类', 'Format', 'End'][position],
            index: position + 1,
            predecessorNodeId: null,
            status: failed && position === 2 ? 'failed' : 'succeeded',
            error: failed && position === 2 ? 'Request timed out after 60s' : null,
            elapsedTime: position === 2 ? 1.5 + (index % 7) / 3 : 0.05,
            totalTokens: position === 2 ? 400 + (index % 300) : 0,
            promptTokens: null,
            completionTokens: null,
            totalPrice: position === 2 ? 0.0004 + (index % 11) / 10_000 : null,
            currency: position === 2 ? 'USD' : null,
            modelProvider: position === 2 ? 'langgenius/openai/openai' : null,
            modelName: position === 2 ? (index % 3 === 0 ? 'gpt-4o' : 'gpt-4o-mini') : null,
            iterationId: null,
            iterationIndex: null,
            loopId: null,
            loopIndex: null,
            createdAt: created,
            finishedAt: created,
          }))
        : null;
    await writer.add({
      appId,
      logId: `log-${index}`,
      runId: `run-${index}`,
      status: failed ? 'failed' : 'succeeded',
      workflowVersion: '2026-01-01 00:00:00',
      triggeredFrom: 'app-run',
      createdFrom: 'service-api',
      createdByRole: 'end_user',
      endUserSessionId: `user-${index % 5000}`,
      accountEmail: null,
      loggedAt: created,
      createdAt: created,
      finishedAt: created,
      elapsedTime: 0.5 + (index % 40) / 10,
      totalTokens: nodes ? 400 + (index % 300) : 50,
      totalSteps: nodes ? 5 : 3,
      exceptionsCount: 0,
      error: failed ? 'Node 工单分类 run failed: Request timed out after 60s' : null,
      inputs: { ticket: `工单 ${index}: my order ${index % 9973} arrived damaged, please refund`, lang: 'zh' },
      outputs: { category: ['refund', 'shipping', 'account', 'other'][index % 4], confidence: (index % 100) / 100 },
      nodes,
      enrichmentError: null,
    });
  }
  await writer?.finish();
}

function percentile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

async function timed(url, count) {
  const times = [];
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    const response = await fetch(url(index));
    if (!response.ok) throw new Error(`${url(index)}: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
    times.push(performance.now() - started);
  }
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95), max: Math.max(...times) };
}

async function measure(baseDir) {
  const { createExplorer } = await import('../dist/index.js');
  const { createLocalStorage } = await import('@dify-logs/storage-local');
  const indexFile = join(baseDir, 'index.duckdb');
  // A kept archive (--keep) is indexed from scratch every time.
  for (const file of [indexFile, `${indexFile}.wal`]) await rm(file, { force: true });
  // Where the memory is while building: the V8 heap's and the process's peaks (sampled every 200 ms).
  const peak = { heap: 0, rss: 0 };
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peak.heap = Math.max(peak.heap, usage.heapTotal);
    peak.rss = Math.max(peak.rss, usage.rss);
  }, 200);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const explorer = await createExplorer({
    storage: createLocalStorage({ baseDir }),
    port: 0,
    indexFile,
    privacy: { enabled: true },
    ...(flag('memory-limit', undefined) ? { memoryLimit: flag('memory-limit', undefined) } : {}),
    ...(flag('workers', undefined) ? { indexWorkers: Number(flag('workers', undefined)) } : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  // CPU time of every thread (this one, the index's workers, DuckDB's): what a busy machine does not change much.
  const { user, system } = process.cpuUsage(cpu);
  clearInterval(sampler);
  const buildRss = process.resourceUsage().maxRSS / 1024;
  const ms = (value) => `${value.toFixed(1)} ms`;
  const day = (index) => `2026-0${1 + (index % 3)}-${String(1 + (index % 28)).padStart(2, '0')}`;
  const list = await timed(
    (index) =>
      `${explorer.url}/api/runs?app=app-${index % APPS}&status=${index % 2 ? 'failed' : 'succeeded'}` +
      `&from=${day(index)}&minElapsed=1&limit=50`,
    40,
  );
  const deep = await timed((index) => `${explorer.url}/api/runs?limit=50&status=failed&to=${day(index)}`, 20);
  const run = await timed((index) => `${explorer.url}/api/runs/run-${(index * 7919) % RUNS}`, 100);
  const search = await timed((index) => `${explorer.url}/api/runs?q=order%20${(index * 31) % 9973}%20damaged`, 10);
  const searchCjk = await timed(() => `${explorer.url}/api/runs?q=${encodeURIComponent('工单分类 timed out')}`, 5);
  const stats = await timed(
    (index) => `${explorer.url}/api/stats?groupBy=${['day', 'app', 'model', 'node'][index % 4]}`,
    8,
  );
  const refresh = performance.now();
  await explorer.refresh();
  const refreshMs = performance.now() - refresh;
  await explorer.close();
  const peakRss = process.resourceUsage().maxRSS / 1024;
  console.log(`explorer bench: ${RUNS.toLocaleString('en')} runs (nodes on 20%, ${APPS} apps x ${DAYS} days)`);
  console.log(
    `  index build: ${seconds.toFixed(1)} s = ${Math.round(RUNS / seconds).toLocaleString('en')} runs/s, ` +
      `peak RSS ${buildRss.toFixed(0)} MB while building, ${peakRss.toFixed(0)} MB overall ` +
      `(V8 heap at most ${(peak.heap / 2 ** 20).toFixed(0)} MB), CPU ${((user + system) / 1e6).toFixed(1)} s`,
  );
  console.log(`  filtered list (app, status, from, minElapsed): p50 ${ms(list.p50)}, p95 ${ms(list.p95)}`);
  console.log(`  list of failed runs before a day: p50 ${ms(deep.p50)}, p95 ${ms(deep.p95)}`);
  console.log(`  run page (GET /api/runs/:id): p50 ${ms(run.p50)}, p95 ${ms(run.p95)}`);
  console.log(`  full-text search: p50 ${ms(search.p50)}, p95 ${ms(search.p95)}; CJK ${ms(searchCjk.p95)}`);
  console.log(`  stats (day, app, model, node): p95 ${ms(stats.p95)}; refresh with nothing new ${ms(refreshMs)}`);
}

if (argv[0] === '--generate') {
  await generate(argv[1], Number(argv[2]));
} else if (argv[0] === '--measure') {
  await measure(argv[1]);
} else {
  const baseDir = flag('keep', undefined) ?? (await mkdtemp(join(tmpdir(), 'dify-logs-explorer-bench-')));
  try {
    if (!existsSync(join(baseDir, 'data'))) {
      const started = Date.now();
      const made = spawnSync(process.execPath, [self, '--generate', baseDir, String(RUNS), '--runs', String(RUNS)], {
        stdio: 'inherit',
      });
      if (made.status !== 0) process.exit(made.status ?? 1);
      console.log(`archived ${RUNS} runs in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
    const passed = ['memory-limit', 'workers'].flatMap((name) =>
      flag(name, undefined) ? [`--${name}`, flag(name, undefined)] : [],
    );
    const measured = spawnSync(process.execPath, [self, '--measure', baseDir, '--runs', String(RUNS), ...passed], {
      stdio: 'inherit',
    });
    process.exitCode = measured.status ?? 1;
  } finally {
    if (!flag('keep', undefined)) await rm(baseDir, { recursive: true, force: true });
  }
}
