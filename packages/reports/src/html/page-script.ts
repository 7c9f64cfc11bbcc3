/**
 * The page's own script (ES2017, no dependencies but Chart.js): reads the chart specs from the
 * `report-data` JSON element, draws each chart on its canvas, and makes `table.sortable` sortable by
 * clicking (or pressing Enter on) a header: numbers by value, text numeric-aware, empty values last.
 */
export const PAGE_SCRIPT = `(function () {
  'use strict';
  var dataElement = document.getElementById('report-data');
  var data = dataElement ? JSON.parse(dataElement.textContent || '{}') : {};
  var number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
  var amount = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });
  var formats = {
    count: function (value) { return number.format(value); },
    percent: function (value) { return number.format(value) + ' %'; },
    seconds: function (value) { return number.format(value) + ' s'; },
    amount: function (value) { return amount.format(value); }
  };
  function format(kind, value) {
    if (value === null || value === undefined || isNaN(value)) return 'n/a';
    return (formats[kind] || formats.count)(value);
  }

  function drawCharts(charts) {
    if (typeof window.Chart !== 'function') return;
    var Chart = window.Chart;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = '#44505f';
    charts.forEach(function (spec) {
      var canvas = document.getElementById(spec.id);
      if (!canvas) return;
      var config = spec.config;
      var horizontal = config.options.indexAxis === 'y';
      Object.keys(spec.axes).forEach(function (axis) {
        var scale = config.options.scales[axis] || (config.options.scales[axis] = {});
        scale.ticks = Object.assign({}, scale.ticks, { callback: function (value) { return format(spec.axes[axis], \
value); } });
      });
      config.options.animation = false;
      config.options.layout = { padding: { left: 8, right: 8 } };
      config.options.responsive = true;
      config.options.maintainAspectRatio = false;
      config.options.interaction = { mode: 'index', intersect: false };
      config.options.plugins = {
        legend: { display: config.data.datasets.length > 1 },
        tooltip: {
          callbacks: {
            label: function (context) {
              var axis = horizontal ? context.dataset.xAxisID || 'x' : context.dataset.yAxisID || 'y';
              return context.dataset.label + ': ' + format(spec.axes[axis], horizontal ? context.parsed.x : \
context.parsed.y);
            }
          }
        }
      };
      try {
        new Chart(canvas, config);
      } catch (error) {
        console.error(error);
        canvas.parentNode.textContent = 'This chart could not be drawn.';
      }
    });
  }

  var collator = new Intl.Collator('en-US', { numeric: true, sensitivity: 'base' });
  function sortKey(cell, numeric) {
    if (!cell) return null;
    var raw = cell.hasAttribute('data-sort') ? cell.getAttribute('data-sort') : cell.textContent;
    raw = (raw || '').trim();
    if (raw === '') return null;
    if (!numeric) return raw;
    var value = parseFloat(raw.replace(/,/g, ''));
    return isNaN(value) ? null : value;
  }
  function sortBy(header) {
    var table = header.closest('table');
    var tbody = table && table.tBodies[0];
    if (!tbody) return;
    var headers = Array.prototype.slice.call(header.parentNode.children);
    var index = headers.indexOf(header);
    var numeric = header.getAttribute('data-type') === 'number';
    var current = header.getAttribute('aria-sort');
    var direction = current === 'ascending' ? 'descending' : current === 'descending' ? 'ascending' : numeric ? \
'descending' : 'ascending';
    headers.forEach(function (other) { other.setAttribute('aria-sort', 'none'); });
    header.setAttribute('aria-sort', direction);
    var sign = direction === 'ascending' ? 1 : -1;
    var rows = Array.prototype.slice.call(tbody.rows).map(function (row, position) {
      return { row: row, key: sortKey(row.cells[index], numeric), position: position };
    });
    rows.sort(function (a, b) {
      if (a.key === null || b.key === null) return a.key === b.key ? a.position - b.position : a.key === null ? 1 : -1;
      var order = numeric ? a.key - b.key : collator.compare(a.key, b.key);
      return order !== 0 ? order * sign : a.position - b.position;
    });
    rows.forEach(function (entry) { tbody.appendChild(entry.row); });
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable thead th'), function (header) {
    header.addEventListener('click', function () { sortBy(header); });
    header.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); sortBy(header); }
    });
  });

  drawCharts(data.charts || []);
})();
`;
