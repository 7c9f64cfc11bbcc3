export {};
export { csvReporter, type CsvReporterOptions } from './csv/csv-reporter.js';
export { xlsxReporter, type XlsxReporterOptions } from './xlsx/xlsx-reporter.js';
export { htmlReporter, renderHtml, DEFAULT_MAX_TABLE_ROWS, type HtmlReporterOptions } from './html/reporter.js';
