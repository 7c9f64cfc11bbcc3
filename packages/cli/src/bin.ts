#!/usr/bin/env node
import { main } from './program.js';
import { endProcessAfterGrace } from './support/end-process.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    endProcessAfterGrace(code);
  },
  (error: unknown) => {
    process.stderr.write(`dify-logs: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
    endProcessAfterGrace(1);
  },
);
