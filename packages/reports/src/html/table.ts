import { escapeHtml } from './escape.js';
import { formatInteger, formatNumber } from './format.js';

/** Markup that is already safe (built from escaped parts). Plain strings and numbers are always escaped. */
export interface Html {
  readonly html: string;
}

export const trusted = (html: string): Html => ({ html });

export type Cell = string | number | Html;

export interface Column<Row> {
  header: string;
  /** Numeric columns align right and sort by `sort` (or the cell number) as numbers, most first on the first click. */
  numeric?: boolean;
  cell: (row: Row) => Cell;
  /** The value the page sorts by, when it differs from the shown text (times, formatted numbers). null sorts last. */
  sort?: (row: Row) => number | string | null;
  /** Extra class of the cells: `wrap` lets long text break, `mono` for ids and signatures. */
  className?: 'wrap' | 'mono';
}

export interface TableOptions<Row> {
  id: string;
  title: string;
  columns: Array<Column<Row>>;
  rows: readonly Row[];
  maxRows: number;
  /** Shown instead of the table when there are no rows. */
  empty: string;
  /** A sentence under the title (escaped). */
  note?: string;
}

const cellHtml = (cell: Cell): string =>
  typeof cell === 'object' ? cell.html : typeof cell === 'number' ? escapeHtml(formatNumber(cell)) : escapeHtml(cell);

function sortAttribute<Row>(column: Column<Row>, row: Row, cell: Cell): string {
  const value = column.sort ? column.sort(row) : column.numeric && typeof cell === 'number' ? cell : undefined;
  if (value === undefined) return '';
  if (value === null) return ' data-sort=""';
  return ` data-sort="${escapeHtml(typeof value === 'number' && !Number.isFinite(value) ? '' : value)}"`;
}

/** A section with a sortable table (click a header), limited to `maxRows` rows; every value escaped. */
export function renderTable<Row>(options: TableOptions<Row>): string {
  const { id, title, columns, rows, maxRows, empty, note } = options;
  const shown = rows.slice(0, Math.max(0, maxRows));
  const parts = [
    `<section class="table-section" id="${escapeHtml(id)}">`,
    `<h3>${escapeHtml(title)} <span class="count">(${formatInteger(rows.length)})</span></h3>`,
  ];
  if (note) parts.push(`<p class="note">${escapeHtml(note)}</p>`);
  if (rows.length === 0) {
    parts.push(`<p class="empty">${escapeHtml(empty)}</p>`, '</section>');
    return parts.join('\n');
  }
  const head = columns
    .map(
      (column) =>
        `<th scope="col" data-type="${column.numeric ? 'number' : 'text'}"` +
        `${column.numeric ? ' class="num"' : ''} tabindex="0" ` +
        `aria-sort="none">${escapeHtml(column.header)}</th>`,
    )
    .join('');
  const body = shown.map((row) => {
    const cells = columns.map((column) => {
      const cell = column.cell(row);
      const classes = [column.numeric ? 'num' : '', column.className ?? ''].filter(Boolean).join(' ');
      return `<td${classes ? ` class="${classes}"` : ''}${sortAttribute(column, row, cell)}>${cellHtml(cell)}</td>`;
    });
    return `<tr>${cells.join('')}</tr>`;
  });
  parts.push(
    '<div class="table-wrap">',
    `<table class="sortable"><thead><tr>${head}</tr></thead>`,
    `<tbody>\n${body.join('\n')}\n</tbody></table>`,
    '</div>',
  );
  if (rows.length > shown.length)
    parts.push(
      `<p class="note">Showing the first ${formatInteger(shown.length)} of ${formatInteger(rows.length)} rows.</p>`,
    );
  parts.push('</section>');
  return parts.join('\n');
}
