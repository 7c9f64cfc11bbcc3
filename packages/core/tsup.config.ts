import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

const shared: Options = {
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing/index.ts',
    'adapter-kit': 'src/adapter-kit.ts',
    internal: 'src/internal.ts',
    client: 'src/entries/client.ts',
    'cli-kit': 'src/entries/cli-kit.ts',
    pipeline: 'src/entries/pipeline.ts',
    archive: 'src/entries/archive.ts',
  },
  dts: true,
  sourcemap: true,
  target: 'node20',
  // `import.meta.url` in the CommonJS build (lazy-module.ts resolves dependencies from it).
  shims: true,
  define: { __DIFY_LOGS_VERSION__: JSON.stringify(version) },
};

/**
 * zod's entry re-exports its 64 locales as `z.locales`; core (and adapters taking `z` from adapter-kit) use English
 * only, which zod registers itself. Bundled, the other 63 were 40 % of the bytes Node compiles at every start-up:
 * `z.locales` (and `z.core.locales`) keep `en` alone.
 */
const englishOnly = {
  name: 'zod-locales-english-only',
  setup(build: Parameters<NonNullable<Options['esbuildPlugins']>[number]['setup']>[0]) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](?:classic|core)$/.test(args.resolveDir)
        ? { path: join(args.resolveDir, '../locales/index.js'), namespace: 'zod-locales' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

export default defineConfig([
  // The render worker is loaded by path (dist/render-worker.js, ESM from both builds): an entry of the ESM build only.
  {
    ...shared,
    entry: { ...(shared.entry as Record<string, string>), 'render-worker': 'src/pipeline/render/worker.ts' },
    format: 'esm',
    // zod (95 modules, 64 of them locales) and ky (15) loaded file by file cost Node 20's ESM loader 35 ms of every
    // start-up; bundled they cost half. zod 4's schemas work across copies, and adapters take `z` from adapter-kit.
    noExternal: ['zod', 'ky'],
    esbuildPlugins: [englishOnly],
  },
  // ky, p-retry and p-limit are ESM-only: the CommonJS build carries its own copy, so `require()` works on any Node 20.
  // Split like the ESM build: every entry shares one copy of each class and of module state.
  {
    ...shared,
    format: 'cjs',
    splitting: true,
    noExternal: ['ky', 'p-retry', 'p-limit', 'is-network-error', 'yocto-queue'],
  },
]);
