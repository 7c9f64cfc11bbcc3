import { testScheduler } from '@dify-logs/core/testing';
import { createCronScheduler } from '../src/index.js';

testScheduler({ name: 'cron (in process)', create: () => createCronScheduler(), pickupMs: 500 });
