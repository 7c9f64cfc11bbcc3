// `npm run demo`: install, build, then run the dify-logs demo against the embedded Dify simulator.
import { bootstrap, run } from './bootstrap.mjs';

bootstrap();
process.exit(run(process.execPath, ['packages/cli/dist/bin.js', 'demo', ...process.argv.slice(2)]));
