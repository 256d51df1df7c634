/*
 * Points per bidder as a horizontal bar chart (Chart.js, vendored), with the line
 * ("de streep") drawn between place X and X+1.
 *
 * The data come from the page (<script type="application/json" id="ranking-chart-data">,
 * Django's json_script): one bar per row of the ranking table, in the table's order. The
 * table is the accessible equivalent; the canvas has role="img" and a summarising
 * aria-label. Colours come from CSS custom properties (app.css, .app-chart), each at
 * least 3:1 against the background; the status is never told by colour alone (outlined
 * bars below the line, hatched bars for excluded bids, the legend and the table).
 */
(function () {
  "use strict";

  var dataElement = document.getElementById("ranking-chart-data");
  var canvas = document.getElementById("ranking-chart");
  if (!dataElement || !canvas || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(dataElement.textContent);
  var styles = window.getComputedStyle(canvas);
  var lang = document.documentElement.lang || "nl";
  var points = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var ticks = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });

  function token(name, fallback) {
    return styles.getPropertyValue(name).trim() || fallback;
  }

  var colours = {
    selected: token("--app-chart-selected", "#157b31"),
    selected_coverage: token("--app-chart-coverage", "#006fb3"),
    below_line: token("--app-chart-below", "#ac501b"),
    below_line_fill: token("--app-chart-below-fill", "#ffeee1"),
    excluded: token("--app-chart-excluded", "#cd262d"),
    background: token("--app-chart-background", "#ffffff"),
    line: token("--app-chart-line", "#001a40"),
    text: token("--app-chart-text", "#001a40"),
    grid: token("--app-chart-grid", "#c0c7d2"),
  };

  function hatch(colour) {
    var tile = document.createElement("canvas");
    tile.width = 8;
    tile.height = 8;
    var context = tile.getContext("2d");
    context.fillStyle = colours.background;
    context.fillRect(0, 0, 8, 8);
    context.strokeStyle = colour;
    context.lineWidth = 2;
    context.beginPath();
    context.moveTo(0, 8);
    context.lineTo(8, 0);
    context.moveTo(-2, 2);
    context.lineTo(2, -2);
    context.moveTo(6, 10);
    context.lineTo(10, 6);
    context.stroke();
    return canvas.getContext("2d").createPattern(tile, "repeat");
  }

  var fills = {
    selected: colours.selected,
    selected_coverage: colours.selected_coverage,
    below_line: colours.below_line_fill,
    excluded: hatch(colours.excluded),
  };

  // Draws the line between bar X and bar X+1 and remembers where (chart.$placeLine), so a
  // test or a reader of the page can check it.
  var placeLine = {
    id: "placeLine",
    afterDatasetsDraw: function (chart, args, options) {
      var after = options.after;
      var bars = chart.getDatasetMeta(0).data;
      chart.$placeLine = null;
      if (!after || after >= bars.length) {
        return;
      }
      var y = (bars[after - 1].y + bars[after].y) / 2;
      var area = chart.chartArea;
      var context = chart.ctx;
      context.save();
      context.strokeStyle = options.color;
      context.lineWidth = 3;
      context.setLineDash([10, 5]);
      context.beginPath();
      context.moveTo(area.left, y);
      context.lineTo(area.right, y);
      context.stroke();
      context.restore();
      chart.$placeLine = { after: after, y: y, above: bars[after - 1].y, below: bars[after].y };
    },
  };

  // Text in the page's own font and size (Chart.js would use Helvetica 12px).
  window.Chart.defaults.font.family = styles.fontFamily;
  window.Chart.defaults.font.size = 14;

  var wrapper = canvas.parentElement;
  wrapper.style.height = 72 + 34 * data.points.length + "px";

  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        {
          label: canvas.dataset.axisLabel,
          data: data.points.map(Number),
          backgroundColor: data.statuses.map(function (s) { return fills[s]; }),
          borderColor: data.statuses.map(function (s) { return colours[s]; }),
          borderWidth: 2,
          barPercentage: 0.8,
          categoryPercentage: 0.9,
        },
      ],
    },
    options: {
      indexAxis: "y",
      animation: false,
      maintainAspectRatio: false,
      responsive: true,
      color: colours.text,
      scales: {
        x: {
          beginAtZero: true,
          title: { display: true, text: canvas.dataset.axisLabel, color: colours.text },
          ticks: { color: colours.text, callback: function (value) { return ticks.format(value); } },
          grid: { color: colours.grid },
        },
        y: {
          ticks: {
            color: colours.text,
            autoSkip: false,
            callback: function (value, index) {
              var label = data.labels[index];
              return label.length > 40 ? label.slice(0, 39) + "…" : label;
            },
          },
          grid: { display: false },
        },
      },
      plugins: {
        legend: { display: false }, // the HTML legend under the chart tells the statuses
        tooltip: {
          callbacks: {
            label: function (item) {
              var status = data.statuses[item.dataIndex];
              return (
                data.status_labels[status] + ": " + points.format(item.raw) + " " +
                canvas.dataset.pointsUnit
              );
            },
          },
        },
        placeLine: { after: data.line_after, color: colours.line },
      },
    },
    plugins: [placeLine],
  });
})();
