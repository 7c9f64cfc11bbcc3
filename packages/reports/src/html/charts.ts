import type { NodeAnalysis, ReportAnalysis, TimeBucket } from '@dify-logs/core/pipeline';
import { formatTime, mainCurrency } from './format.js';

/**
 * How the page formats an axis's ticks and tooltips: plain counts, percentages (values already × 100), seconds,
 * amounts.
 */
export type AxisFormat = 'count' | 'percent' | 'seconds' | 'amount';

interface Dataset {
  type?: 'bar' | 'line';
  label: string;
  data: Array<number | null>;
  yAxisID?: string;
  xAxisID?: string;
  backgroundColor?: string;
  borderColor?: string;
  borderWidth?: number;
  pointRadius?: number;
  tension?: number;
  order?: number;
}

interface Axis {
  position?: 'left' | 'right' | 'top' | 'bottom';
  beginAtZero?: boolean;
  min?: number;
  title?: { display: boolean; text: string };
  grid?: { drawOnChartArea: boolean };
  ticks?: { maxRotation?: number; autoSkipPadding?: number };
}

/**
 * One chart of the page: a Chart.js configuration made only of data (no functions), serialised into the
 * page's JSON; the inline script adds tick formatting from `axes` and creates the chart on canvas `id`.
 */
export interface ChartSpec {
  id: string;
  title: string;
  /** CSS pixels; horizontal bar charts grow with their number of bars. */
  height: number;
  axes: Record<string, AxisFormat>;
  config: {
    type: 'bar' | 'line';
    data: { labels: string[]; datasets: Dataset[] };
    options: { indexAxis?: 'x' | 'y'; scales: Record<string, Axis> };
  };
}

export const TOP_NODES = 15;
const COLORS = {
  blue: '#3b6fd8',
  red: '#d64545',
  green: '#2f9e6e',
  amber: '#d9911a',
  violet: '#7b5cc7',
  slate: '#5b6b7f',
};
/** Chart.js gives a category axis at most half the chart's width: longer labels are cut in the table's favour. */
const LABEL_LENGTH = 30;

const label = (text: string) => (text.length > LABEL_LENGTH ? `${text.slice(0, LABEL_LENGTH - 1)}…` : text);
const round = (value: number, digits: number) => Number(value.toFixed(digits));
const axisTitle = (text: string) => ({ display: true, text });

/** Hours between the window's ends, or null when they are not times. */
function windowHours(analysis: ReportAnalysis): number | null {
  const hours = (Date.parse(analysis.window.to) - Date.parse(analysis.window.from)) / 3_600_000;
  return Number.isFinite(hours) ? hours : null;
}

/** Hourly buckets for windows up to 48 hours, daily ones beyond. */
export function timelineBuckets(analysis: ReportAnalysis): { unit: 'hour' | 'day'; buckets: TimeBucket[] } {
  const hours = windowHours(analysis);
  const hourly = hours === null ? analysis.perDay.length === 0 : hours <= 48;
  return hourly ? { unit: 'hour', buckets: analysis.perHour } : { unit: 'day', buckets: analysis.perDay };
}

function timelineChart(analysis: ReportAnalysis): ChartSpec | null {
  const { unit, buckets } = timelineBuckets(analysis);
  if (buckets.length === 0) return null;
  return {
    id: 'chart-timeline',
    title: `Runs and failure rate per ${unit}`,
    height: 300,
    axes: { y: 'count', y1: 'percent' },
    config: {
      type: 'bar',
      data: {
        labels: buckets.map((bucket) => formatTime(bucket.start, analysis.window.timezone, unit)),
        datasets: [
          {
            type: 'line',
            label: 'Failure rate',
            data: buckets.map((bucket) => (bucket.runs > 0 ? round((bucket.failed / bucket.runs) * 100, 2) : null)),
            yAxisID: 'y1',
            borderColor: COLORS.red,
            backgroundColor: COLORS.red,
            borderWidth: 2,
            pointRadius: 2,
            tension: 0.2,
            order: 0,
          },
          {
            type: 'bar',
            label: 'Runs',
            data: buckets.map((bucket) => bucket.runs),
            yAxisID: 'y',
            backgroundColor: COLORS.blue,
            order: 1,
          },
        ],
      },
      options: {
        scales: {
          x: { ticks: { maxRotation: 0, autoSkipPadding: 16 } },
          y: { position: 'left', beginAtZero: true, title: axisTitle('Runs') },
          y1: { position: 'right', min: 0, title: axisTitle('Failure rate (%)'), grid: { drawOnChartArea: false } },
        },
      },
    },
  };
}

function latencyChart(analysis: ReportAnalysis): ChartSpec | null {
  const { latency } = analysis;
  if (latency.count === 0 || latency.p50 === null) return null;
  return {
    id: 'chart-latency',
    title: 'Run time percentiles',
    height: 260,
    axes: { y: 'seconds' },
    config: {
      type: 'bar',
      data: {
        labels: ['p50', 'p90', 'p95', 'p99'],
        datasets: [
          {
            label: 'Run time (s)',
            data: [latency.p50, latency.p90, latency.p95, latency.p99],
            backgroundColor: COLORS.violet,
          },
        ],
      },
      options: { scales: { y: { beginAtZero: true, title: axisTitle('Seconds') } } },
    },
  };
}

function modelChart(analysis: ReportAnalysis): ChartSpec | null {
  const models = [...analysis.models].sort((a, b) => b.tokens - a.tokens).slice(0, TOP_NODES);
  if (models.length === 0) return null;
  const currency = mainCurrency(analysis.cost);
  const datasets: Dataset[] = [
    { label: 'Tokens', data: models.map((model) => model.tokens), yAxisID: 'y', backgroundColor: COLORS.blue },
  ];
  const scales: Record<string, Axis> = { y: { position: 'left', beginAtZero: true, title: axisTitle('Tokens') } };
  const axes: Record<string, AxisFormat> = { y: 'count' };
  if (currency !== null) {
    datasets.push({
      label: `Cost (${currency})`,
      data: models.map((model) => model.cost[currency] ?? 0),
      yAxisID: 'y1',
      backgroundColor: COLORS.amber,
    });
    scales.y1 = {
      position: 'right',
      beginAtZero: true,
      title: axisTitle(`Cost (${currency})`),
      grid: { drawOnChartArea: false },
    };
    axes.y1 = 'amount';
  }
  return {
    id: 'chart-models',
    title: currency === null ? 'Tokens by model' : `Tokens and cost (${currency}) by model`,
    height: 300,
    axes,
    config: { type: 'bar', data: { labels: models.map((model) => label(model.model)), datasets }, options: { scales } },
  };
}

/** A horizontal bar chart of the top nodes by one measure. */
function nodeChart(
  id: string,
  title: string,
  nodes: NodeAnalysis[],
  value: (node: NodeAnalysis) => number,
  format: AxisFormat,
  series: string,
  color: string,
): ChartSpec | null {
  const top = nodes.slice(0, TOP_NODES);
  if (top.length === 0) return null;
  // The node's type is added only where two nodes of the chart share a title.
  const titles = new Map<string, number>();
  for (const node of top) titles.set(node.title, (titles.get(node.title) ?? 0) + 1);
  const nodeLabel = (node: NodeAnalysis) =>
    label(titles.get(node.title)! > 1 ? `${node.title} (${node.type})` : node.title);
  return {
    id,
    title,
    height: Math.max(160, 48 + top.length * 24),
    axes: { x: format },
    config: {
      type: 'bar',
      data: { labels: top.map(nodeLabel), datasets: [{ label: series, data: top.map(value), backgroundColor: color }] },
      options: {
        indexAxis: 'y',
        scales: { x: { beginAtZero: true, title: axisTitle(series), ticks: { maxRotation: 0, autoSkipPadding: 16 } } },
      },
    },
  };
}

/** The page's charts, in page order; charts without data are left out. */
export function buildCharts(analysis: ReportAnalysis): ChartSpec[] {
  const nodes = analysis.nodes;
  const byTokens = nodes.filter((node) => node.tokens > 0).sort((a, b) => b.tokens - a.tokens);
  const byP95 = nodes.filter((node) => node.latency.p95 !== null).sort((a, b) => b.latency.p95! - a.latency.p95!);
  const byFailures = nodes
    .filter((node) => node.failed > 0)
    .sort((a, b) => b.failed - a.failed || b.failed / b.executions - a.failed / a.executions);
  const charts = [
    timelineChart(analysis),
    latencyChart(analysis),
    modelChart(analysis),
    nodeChart(
      'chart-node-tokens',
      `Tokens by node (top ${TOP_NODES})`,
      byTokens,
      (node) => node.tokens,
      'count',
      'Tokens',
      COLORS.green,
    ),
    nodeChart(
      'chart-node-p95',
      `Slowest nodes by p95 (top ${TOP_NODES})`,
      byP95,
      (node) => node.latency.p95!,
      'seconds',
      'p95 (s)',
      COLORS.violet,
    ),
    nodeChart(
      'chart-node-failures',
      `Most failing nodes (top ${TOP_NODES})`,
      byFailures,
      (node) => node.failed,
      'count',
      'Failed executions',
      COLORS.red,
    ),
  ];
  return charts.filter((chart): chart is ChartSpec => chart !== null);
}
