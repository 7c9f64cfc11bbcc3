// The public API of @dify-logs/core, one report per entry point (`.`, `./adapter-kit`, `./testing`, `./internal`), checked in under
// etc/. `node scripts/api-report.mjs` fails when the built declarations differ from the reports (CI: lint:package);
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
      if (message.logLevel === 'warning' || message.logLevel === 'error') message.handled = false;
    },
  });
  if (!result.succeeded || result.apiReportChanged) changed.push(`${reportName}.api.md`);
}
if (changed.length > 0 && !update) {
  console.error(
    `The public API of @dify-logs/core changed (${changed.join(', ')}): review the difference, then run \`pnpm --filter @dify-logs/core api:update\` and commit etc/.`,
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
