export { createSimulatorHandler, startSimulator } from './server.js';
export type { SimulatorHandler } from './server.js';
export { PERSONALITY_NAMES } from './personalities.js';
export { DIFY_WORKER_CONNECTIONS, workerConnectionsCapacity } from './capacity.js';
export type {
  DifyPersonality,
  DifySimulator,
  FaultOptions,
  CapacityOptions,
  SimApp,
  SimulatorAccountOptions,
  SimulatorControls,
  SimulatorOptions,
  SimulatorStats,
} from './types.js';
