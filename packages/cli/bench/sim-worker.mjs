// The simulator on its own thread (its own core), driven by messages: for benchmarks that must not share a core
// with what they measure. `startSimWorker(options)` → { ready: Promise<{ url, account, app }>, setCapacity, reset,
// stats, close }.
import { Worker } from 'node:worker_threads';

export function startSimWorker(options) {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     import(workerData.sim).then(async ({ startSimulator }) => {
       const sim = await startSimulator(workerData.options);
       parentPort.postMessage({ url: sim.url, account: sim.account, app: sim.apps.find((a) => a.mode === 'workflow') });
       parentPort.on('message', (message) => {
         if (message.capacity !== undefined) sim.setCapacity(message.capacity ?? undefined);
         if (message.faults !== undefined) sim.setFaults(message.faults ?? undefined);
         if (message.reset) sim.resetStats();
         if (message.stats) parentPort.postMessage({ stats: sim.stats() });
         if (message.close) sim.close().then(() => process.exit(0));
       });
     });`,
    { eval: true, workerData: { sim: new URL('../../dify-sim/dist/index.js', import.meta.url).href, options } },
  );
  const next = () => new Promise((resolve) => worker.once('message', resolve));
  return {
    ready: next(),
    setCapacity: (capacity) => worker.postMessage({ capacity }),
    setFaults: (faults) => worker.postMessage({ faults }),
    reset: () => worker.postMessage({ reset: true }),
    stats: async () => (worker.postMessage({ stats: true }), (await next()).stats),
    close: () => worker.postMessage({ close: true }),
  };
}
