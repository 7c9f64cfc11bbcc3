import type { Reporter } from '@dify-logs/core/adapter-kit';
import { definePlugin } from '@dify-logs/core/adapter-kit';

function format(type: string, description: string, load: () => Promise<Reporter>) {
  return definePlugin({
    kind: 'format',
    type,
    description,
    async create() {
      return { reporter: await load() };
    },
  });
}

/** `outputFormat: [csv]`: runs and node executions as CSV. */
export const csvPlugin = format('csv', 'runs and node executions as CSV', async () =>
  (await import('./csv/csv-reporter.js')).csvReporter(),
);
/** `outputFormat: [html]`: a self-contained HTML page. */
export const htmlPlugin = format('html', 'a self-contained HTML report', async () =>
  (await import('./html/reporter.js')).htmlReporter(),
);
/** `outputFormat: [xlsx]`: an Excel workbook. */
export const xlsxPlugin = format('xlsx', 'an Excel workbook', async () =>
  (await import('./xlsx/xlsx-reporter.js')).xlsxReporter(),
);

/** The three report formats of this package (a package may hold several plugins). */
export const plugins = [csvPlugin, htmlPlugin, xlsxPlugin] as const;
/** Every plugin of this package; register with `plugins: [...reportsPlugin]` or pick from `plugins`. */
export const plugin = plugins;
