import * as vitest from 'vitest';
import { testScheduler } from '@dify-logs/core/testing';
import { createCronScheduler } from '../src/index.js';

testScheduler(vitest, { name: 'cron (in process)', create: () => createCronScheduler(), pickupMs: 500 });
