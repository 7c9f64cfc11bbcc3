// The public API of @dify-logs/core, one report per entry point (`.`, `./adapter-kit`, `./testing`, `./internal`),
// checked in under etc/. `node scripts/api-report.mjs` fails when the built declarations differ from the reports (CI:
// lint:package);
// `--update` rewrites them. Run after `pnpm build`.
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const projectFolder = fileURLToPath(new URL('..', import.meta.url));
const update = process.argv.includes('--update');
const ENTRIES = {
  index: 'core',
  'adapter-kit': 'core-adapter-kit',
  testing: 'core-testing',
  internal: 'core-internal',
};
mkdirSync(`${projectFolder}/etc`, { recursive: true });
mkdirSync(`${projectFolder}/temp`, { recursive: true });

// `.` must not refer to a type it does not export (api-extractor's ae-forgotten-export), except the zod schemas whose
// inferred types it exports (`DifyLogItem` is `z.infer<typeof LogItemSchema>`) and two type helpers of the
// configuration types (`CoreConfig`, `DeepPartial`). The other entries refer to the contracts of `.` on purpose.
const SCHEMAS_BEHIND_EXPORTED_TYPES = new Set([
  'CoreConfig',
  'DeepPartial',
  'ArchivedLogPageSchema',
  'EnrichmentErrorSchema',
  'RunPauseSchema',
  'AppInfoSchema',
  'ConsoleAppSchema',
  'CompletionConversationSchema',
  'ConversationSchema',
  'LogItemSchema',
  'LogPageSchema',
  'MessageSchema',
  'NodeExecutionSchema',
  'RunDetailSchema',
]);
const forgotten = [];
let changed = [];
for (const [entry, reportName] of Object.entries(ENTRIES)) {
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder,
      mainEntryPointFilePath: `<projectFolder>/dist/${entry}.d.ts`,
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            skipLibCheck: true,
            lib: ['ES2023', 'DOM'],
            types: ['node'],
          },
        },
      },
      apiReport: {
        enabled: true,
        reportFileName: `${reportName}.api.md`,
        reportFolder: '<projectFolder>/etc/',
        reportTempFolder: '<projectFolder>/temp/',
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: 'warning' } },
        extractorMessageReporting: {
          default: { logLevel: 'none', addToApiReportFile: false },
          'ae-forgotten-export': { logLevel: 'warning', addToApiReportFile: false },
          // Not listed: the note names the built chunk file and line, which change with any internal edit.
        },
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
    configObjectFullPath: `${projectFolder}/api-extractor.json`,
    packageJsonFullPath: `${projectFolder}/package.json`,
  });
  const result = Extractor.invoke(config, {
    localBuild: update,
    showVerboseMessages: false,
    messageCallback: (message) => {
      if (message.messageId === 'ae-forgotten-export') {
        const symbol = /The symbol "([^"]+)"/.exec(message.text)?.[1] ?? message.text;
        if (entry === 'index' && !SCHEMAS_BEHIND_EXPORTED_TYPES.has(symbol)) forgotten.push(symbol);
        message.logLevel = 'none';
        message.handled = true;
        return;
      }
      if (message.logLevel === 'warning' || message.logLevel === 'error') message.handled = false;
    },
  });
  if (!result.succeeded || result.apiReportChanged) changed.push(`${reportName}.api.md`);
}
if (forgotten.length > 0) {
  console.error(
    `@dify-logs/core \`.\` refers to types it does not export: ` +
      `${[...new Set(forgotten)].join(', ')}. Export them from src/index.ts.`,
  );
  process.exit(1);
}
if (changed.length > 0 && !update) {
  console.error(
    `The public API of @dify-logs/core changed (${changed.join(', ')}): review the ` +
      `difference, then run \`pnpm --filter @dify-logs/core api:update\` and commit etc/.`,
  );
  process.exit(1);
}
console.log(
  update
    ? `API reports written: ${Object.values(ENTRIES)
        .map((name) => `etc/${name}.api.md`)
        .join(', ')}`
    : 'API reports match the built declarations',
);
