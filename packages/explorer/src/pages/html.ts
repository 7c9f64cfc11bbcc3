import type { ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from '../server/http.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML text or attribute value: every markup character escaped. */
export function escape(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (character) => ENTITIES[character]!);
}

/** A tagged template whose values are escaped, unless they are `Html` (already markup). */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let markup = strings[0]!;
  values.forEach((value, index) => {
    const part = Array.isArray(value)
      ? value.map((item) => (item instanceof Html ? item.markup : escape(item))).join('')
      : value instanceof Html
        ? value.markup
        : escape(value);
    markup += part + strings[index + 1]!;
  });
  return new Html(markup);
}

/** No resource from anywhere: styles and scripts are inline, images only data: URLs. */
const POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; " +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const STYLE = `
:root { --fg:#1d2433; --muted:#667085; --line:#e4e7ec; --bg:#f8f9fb; --accent:#2563eb; --bad:#d92d20; --ok:#12b76a; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Noto Sans CJK SC",
  "Microsoft YaHei", sans-serif; color:var(--fg); background:var(--bg); }
header { display:flex; gap:20px; align-items:center; padding:10px 24px; background:#101828; color:#fff; }
header a { color:#d0d5dd; text-decoration:none; } header a.here, header a:hover { color:#fff; }
header strong { margin-right:12px; }
main { padding:20px 24px; max-width:1400px; }
h1 { font-size:20px; margin:0 0 16px; } h2 { font-size:16px; margin:24px 0 8px; }
table { border-collapse:collapse; width:100%; background:#fff; border:1px solid var(--line); }
th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#f2f4f7; font-weight:600; white-space:nowrap; } th[data-sort] { cursor:pointer; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
.cards { display:flex; gap:12px; flex-wrap:wrap; }
.card { background:#fff; border:1px solid var(--line); border-radius:6px; padding:12px 16px; min-width:160px; }
.card b { display:block; font-size:22px; }
.status-failed, .bad { color:var(--bad); } .status-succeeded { color:var(--ok); }
form.filters { display:flex; gap:8px; flex-wrap:wrap; margin-bottom:14px; align-items:end; }
form.filters label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); }
input, select, button { font:inherit; padding:4px 6px; }
pre { background:#fff; border:1px solid var(--line); padding:10px; overflow:auto; max-height:420px;
  white-space:pre-wrap; word-break:break-word; }
.muted { color:var(--muted); } a { color:var(--accent); }
.waterfall { background:#fff; border:1px solid var(--line); }
.step { display:grid; grid-template-columns: 320px 1fr; border-bottom:1px solid var(--line); }
.step > summary { display:contents; cursor:pointer; }
.step .name { padding:5px 10px; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
.step .lane { position:relative; height:28px; }
.bar { position:absolute; top:7px; height:14px; min-width:2px; background:var(--accent); border-radius:2px; }
.bar.failed, .bar.exception { background:var(--bad); }
.detail { grid-column: 1 / -1; padding:6px 10px 10px 24px; background:#fcfcfd; }
.rounds { grid-column: 1 / -1; padding-left:24px; }
.turn { background:#fff; border:1px solid var(--line); border-radius:6px; padding:10px 14px; margin-bottom:12px; }
.turn pre { margin:4px 0 8px; max-height:none; } .turn b { color:var(--muted); }
`;

/** A whole page: the navigation, the body, the inline style and (optionally) an inline script. */
export function page(title: string, here: string, body: Html, script = ''): string {
  const link = (href: string, text: string) =>
    html`<a href="${href}" class="${href === here ? 'here' : ''}">${text}</a>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · dify-logs explorer</title><style>${STYLE}</style></head>
<body><header><strong>dify-logs explorer</strong>${link('/', 'Overview')}${link('/runs', 'Runs')}${link(
    '/errors',
    'Errors',
  )}${link('/conversations', 'Conversations')}</header>
<main>${body.markup}</main>${script ? `<script>${script}</script>` : ''}</body></html>`;
}

export function sendHtml(response: ServerResponse, status: number, markup: string): void {
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': POLICY,
  });
  response.end(markup);
}

export const number = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined ? '–' : value.toLocaleString('en', { maximumFractionDigits: digits });
export const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
export const seconds = (value: number | null | undefined) =>
  value === null || value === undefined ? '–' : `${value.toFixed(value < 10 ? 2 : 1)} s`;
export const money = (value: number | null | undefined) =>
  value === null || value === undefined ? '–' : `$${value.toFixed(value < 1 ? 4 : 2)}`;

/** Sorts a table's rows when a `th[data-sort]` is clicked (numbers by `data-value`, text otherwise). */
export const SORT_SCRIPT = `
document.querySelectorAll('table.sortable th[data-sort]').forEach(function (th) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0];
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var up = th.getAttribute('data-dir') !== 'up'; th.setAttribute('data-dir', up ? 'up' : 'down');
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[index].getAttribute('data-value') || a.cells[index].textContent;
      var y = b.cells[index].getAttribute('data-value') || b.cells[index].textContent;
      var nx = Number(x), ny = Number(y);
      var order = !isNaN(nx) && !isNaN(ny) && x !== '' && y !== '' ? nx - ny : String(x).localeCompare(String(y));
      return up ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });
});`;
