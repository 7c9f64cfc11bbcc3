import { CORE_OUTPUT_FORMATS } from '@dify-logs/core/internal';
import { PLUGINS } from './config-flags.js';

/** Formats `dify-logs report` can write: core's json and markdown, and every registered format plugin's. */
export const REPORT_FORMATS: readonly string[] = [
  ...CORE_OUTPUT_FORMATS.filter((format) => format !== 'ndjson'),
  ...PLUGINS.parts.reportFormats,
];
