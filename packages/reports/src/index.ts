export {};
export { csvReporter, CSV_CONTENT_TYPE, type CsvReporterOptions } from './csv/csv-reporter.js';
export { xlsxReporter, type XlsxReporterOptions } from './xlsx/xlsx-reporter.js';
export { htmlReporter, renderHtml, DEFAULT_MAX_TABLE_ROWS, type HtmlReporterOptions } from './html/reporter.js';
export { plugin, plugins, csvPlugin, htmlPlugin, xlsxPlugin } from './plugin.js';
export {
  exportDataset,
  normaliseQuestion,
  type DatasetOptions,
  type DatasetResult,
  type DatasetWrite,
} from './datasets/dataset.js';
export { DATASET_FORMATS, type DatasetFormat, type DatasetItem } from './datasets/formats.js';
export { conversationsOf, type Conversation } from './datasets/conversations.js';
