// Writes dist/run-record.schema.json from the built zod schema (run after tsup).
import { writeFileSync } from 'node:fs';

const { runRecordJsonSchema } = await import('../dist/internal.js');
writeFileSync(
  new URL('../dist/run-record.schema.json', import.meta.url),
  `${JSON.stringify(runRecordJsonSchema(), null, 2)}\n`,
);
