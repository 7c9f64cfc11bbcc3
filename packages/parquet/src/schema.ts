import type { SchemaElement } from 'hyparquet';

/** Bumped when a column is removed or changes type; readers refuse a newer schema. Added columns keep it. */
export const PARQUET_SCHEMA_VERSION = 1;

/** How a column is stored: `timestamp` is INT64 milliseconds since the epoch, UTC; `json` is UTF-8 JSON text. */
export type ColumnKind = 'string' | 'json' | 'timestamp' | 'double' | 'int32' | 'int64' | 'boolean';

export interface ColumnDefinition<Row> {
  readonly name: keyof Row & string;
  readonly kind: ColumnKind;
  readonly nullable: boolean;
}

/** One table of a dify-logs Parquet file: its name (written to the file's key-value metadata) and columns, in order. */
export interface TableDefinition<Row> {
  readonly name: 'runs' | 'nodes' | 'messages' | 'conversations';
  readonly columns: ReadonlyArray<ColumnDefinition<Row>>;
}

/** A row of the runs table: one RunRecord; timestamps as epoch milliseconds, objects as JSON text. */
export interface RunRow {
  appId: string;
  logId: string;
  runId: string | null;
  status: string | null;
  workflowVersion: string | null;
  triggeredFrom: string | null;
  createdFrom: string | null;
  createdByRole: string | null;
  endUserSessionId: string | null;
  accountEmail: string | null;
  loggedAt: number;
  createdAt: number;
  finishedAt: number | null;
  elapsedTime: number | null;
  totalTokens: number | null;
  totalSteps: number | null;
  exceptionsCount: number | null;
  error: string | null;
  enrichmentErrorStage: string | null;
  enrichmentErrorCode: string | null;
  enrichmentErrorMessage: string | null;
  /** Derived from `nodes`, for queries (not read back): null when nodes were not fetched. */
  nodeCount: number | null;
  /** Derived: the node executions' prices summed; null without a price or with several currencies. */
  totalPrice: number | null;
  currency: string | null;
  inputs: string | null;
  outputs: string | null;
  /** The run's NodeRecords (with their inputs, outputs and process data when fetched): what rebuilds the record. */
  nodes: string | null;
}

/** A row of the nodes table: one node execution, with its run's keys. */
export interface NodeRow {
  appId: string;
  logId: string;
  runId: string | null;
  nodeExecutionId: string;
  nodeId: string;
  nodeType: string;
  title: string | null;
  index: number;
  predecessorNodeId: string | null;
  status: string;
  error: string | null;
  elapsedTime: number | null;
  totalTokens: number;
  promptTokens: number | null;
  completionTokens: number | null;
  totalPrice: number | null;
  currency: string | null;
  modelProvider: string | null;
  modelName: string | null;
  iterationId: string | null;
  iterationIndex: number | null;
  loopId: string | null;
  loopIndex: number | null;
  createdAt: number;
  finishedAt: number | null;
}

export const required = <Row>(name: keyof Row & string, kind: ColumnKind): ColumnDefinition<Row> => ({
  name,
  kind,
  nullable: false,
});
export const optional = <Row>(name: keyof Row & string, kind: ColumnKind): ColumnDefinition<Row> => ({
  name,
  kind,
  nullable: true,
});

export const RUNS_TABLE: TableDefinition<RunRow> = {
  name: 'runs',
  columns: [
    required('appId', 'string'),
    required('logId', 'string'),
    optional('runId', 'string'),
    optional('status', 'string'),
    optional('workflowVersion', 'string'),
    optional('triggeredFrom', 'string'),
    optional('createdFrom', 'string'),
    optional('createdByRole', 'string'),
    optional('endUserSessionId', 'string'),
    optional('accountEmail', 'string'),
    required('loggedAt', 'timestamp'),
    required('createdAt', 'timestamp'),
    optional('finishedAt', 'timestamp'),
    optional('elapsedTime', 'double'),
    optional('totalTokens', 'int64'),
    optional('totalSteps', 'int32'),
    optional('exceptionsCount', 'int32'),
    optional('error', 'string'),
    optional('enrichmentErrorStage', 'string'),
    optional('enrichmentErrorCode', 'string'),
    optional('enrichmentErrorMessage', 'string'),
    optional('nodeCount', 'int32'),
    optional('totalPrice', 'double'),
    optional('currency', 'string'),
    optional('inputs', 'json'),
    optional('outputs', 'json'),
    optional('nodes', 'json'),
  ],
};

/** Columns that are derived for queries only: a runs table may lack them and is still read back exactly. */
export const DERIVED_RUN_COLUMNS: ReadonlyArray<keyof RunRow> = ['nodeCount', 'totalPrice', 'currency'];

export const NODES_TABLE: TableDefinition<NodeRow> = {
  name: 'nodes',
  columns: [
    required('appId', 'string'),
    required('logId', 'string'),
    optional('runId', 'string'),
    required('nodeExecutionId', 'string'),
    required('nodeId', 'string'),
    required('nodeType', 'string'),
    optional('title', 'string'),
    required('index', 'int32'),
    optional('predecessorNodeId', 'string'),
    required('status', 'string'),
    optional('error', 'string'),
    optional('elapsedTime', 'double'),
    required('totalTokens', 'int64'),
    optional('promptTokens', 'int64'),
    optional('completionTokens', 'int64'),
    optional('totalPrice', 'double'),
    optional('currency', 'string'),
    optional('modelProvider', 'string'),
    optional('modelName', 'string'),
    optional('iterationId', 'string'),
    optional('iterationIndex', 'int32'),
    optional('loopId', 'string'),
    optional('loopIndex', 'int32'),
    required('createdAt', 'timestamp'),
    optional('finishedAt', 'timestamp'),
  ],
};

const ELEMENTS: Record<ColumnKind, Omit<SchemaElement, 'name'>> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
  json: { type: 'BYTE_ARRAY', converted_type: 'JSON', logical_type: { type: 'JSON' } },
  timestamp: {
    type: 'INT64',
    converted_type: 'TIMESTAMP_MILLIS',
    logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
  },
  double: { type: 'DOUBLE' },
  int32: { type: 'INT32' },
  int64: { type: 'INT64' },
  boolean: { type: 'BOOLEAN' },
};

/**
 * The Parquet schema (a flat root and one leaf per column) of a table. With `{ jsonAsText: true }`, JSON columns are
 * annotated as plain UTF-8 text: the same bytes, the schema the writer encodes with (see writer.ts).
 */
export function parquetSchemaOf<Row>(
  table: TableDefinition<Row>,
  options: { jsonAsText?: boolean } = {},
): SchemaElement[] {
  const element = (kind: ColumnKind) => ELEMENTS[options.jsonAsText && kind === 'json' ? 'string' : kind];
  return [
    { name: 'root', num_children: table.columns.length },
    ...table.columns.map((column): SchemaElement => ({
      name: column.name,
      ...element(column.kind),
      repetition_type: column.nullable ? 'OPTIONAL' : 'REQUIRED',
    })),
  ];
}
