// The public API of @dify-logs/core, one report per entry point (`.`, `./client`, `./pipeline`, `./archive`,
// `./adapter-kit`, `./cli-kit`, `./testing`, `./internal`),
// checked in under etc/. `node scripts/api-report.mjs` fails when the built declarations differ from the reports (CI:
// lint:package);
// `--update` rewrites them. Run after `pnpm build`.
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const projectFolder = fileURLToPath(new URL('..', import.meta.url));
const update = process.argv.includes('--update');
const ENTRIES = {
  index: 'core',
  client: 'core-client',
  pipeline: 'core-pipeline',
  archive: 'core-archive',
  'adapter-kit': 'core-adapter-kit',
  'cli-kit': 'core-cli-kit',
  testing: 'core-testing',
  internal: 'core-internal',
};
mkdirSync(`${projectFolder}/etc`, { recursive: true });
mkdirSync(`${projectFolder}/temp`, { recursive: true });

// The end users' entries (`.`, `./client`, `./pipeline`, `./archive`) must not refer to a type that no public entry
// exports (api-extractor's ae-forgotten-export, checked against every entry but `./internal`: `.` may name a type that
// `./pipeline` exports, `./pipeline` a contract that `./adapter-kit` exports), except the zod schemas whose
// inferred types are exported (`DifyLogItem` is `z.infer<typeof LogItemSchema>`) and two type helpers of the
// configuration types (`CoreConfig`, `DeepPartial`).
const PUBLIC_ENTRIES = ['index', 'client', 'pipeline', 'archive', 'adapter-kit', 'cli-kit', 'testing'];
/** The names a built entry exports (its `export { … }` statements and `export declare` lines). */
function exportedNames(entry) {
  const text = readFileSync(`${projectFolder}/dist/${entry}.d.ts`, 'utf8');
  const names = new Set();
  for (const [, list] of text.matchAll(/^export (?:type )?\{([^}]*)\}/gm))
    for (const item of list.split(','))
      names.add(
        item
          .trim()
          .replace(/^type /, '')
          .split(/\s+as\s+/)
          .at(-1),
      );
  for (const [, name] of text.matchAll(/^export (?:declare )?(?:function|const|class|type|interface) (\w+)/gm))
    names.add(name);
  return names;
}
const CHECKED_ENTRIES = ['index', 'client', 'pipeline', 'archive'];
const exported = new Set(PUBLIC_ENTRIES.flatMap((entry) => [...exportedNames(entry)]));
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
        if (CHECKED_ENTRIES.includes(entry) && !exported.has(symbol) && !SCHEMAS_BEHIND_EXPORTED_TYPES.has(symbol))
          forgotten.push(`${symbol} (in ${entry})`);
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
    `@dify-logs/core's public entries refer to types that none of them exports: ` +
      `${[...new Set(forgotten)].join(', ')}. Export each from the entry it belongs to (src/index.ts, src/entries/).`,
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
