// `npm run bench` (or `pnpm bench`): build, then run the export benchmark with any flags given.
import { bootstrap, run } from './bootstrap.mjs';

bootstrap();
process.exit(run(process.execPath, ['packages/cli/bench/export-bench.mjs', ...process.argv.slice(2)]));
