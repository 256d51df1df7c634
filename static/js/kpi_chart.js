/*
 * KPI trend charts (Chart.js, vendored): a line per provider (or one for a contract) over the
 * periods, and the target as a dashed line. The data come from the page
 * (<script type="application/json" id="kpi-chart-data">, Django's json_script); every chart
 * has a table with the same data below it, the canvas has role="img" and an aria-label.
 * Lines differ in dash pattern and point style as well as colour (not colour alone).
 */
(function () {
  "use strict";

  var dataElement = document.getElementById("kpi-chart-data");
  if (!dataElement || typeof window.Chart === "undefined") {
    return;
  }
  var charts = JSON.parse(dataElement.textContent);
  var lang = document.documentElement.lang || "nl";
  var format = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  var palette = ["#006fb3", "#157b31", "#ac501b", "#5b2a86", "#cd262d", "#001a40"];
  var points = ["circle", "rect", "triangle", "rectRot", "star", "crossRot"];

  charts.forEach(function (chart) {
    var canvas = document.getElementById(chart.id);
    if (!canvas) {
      return;
    }
    canvas.parentNode.style.blockSize = "20rem";
    var datasets = chart.lines.map(function (line, index) {
      return {
        label: line.label,
        data: line.values.map(function (v) { return v === null ? null : Number(v); }),
        borderColor: palette[index % palette.length],
        backgroundColor: palette[index % palette.length],
        pointStyle: points[index % points.length],
        pointRadius: 4,
        spanGaps: true,
      };
    });
    if (chart.target !== null) {  // no target yet: the KPI is an example ("voorbeeld")
      datasets.push({
        label: canvas.dataset.targetLabel + " (" + format.format(Number(chart.target)) + " " + chart.unit + ")",
        data: chart.periods.map(function () { return Number(chart.target); }),
        borderColor: "#001a40",
        borderDash: [6, 4],
        pointRadius: 0,
        fill: false,
      });
    }
    canvas.$chart = new window.Chart(canvas, {
      type: "line",
      data: { labels: chart.periods, datasets: datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (context) {
                return context.dataset.label + ": " + format.format(context.parsed.y) + " " + chart.unit;
              },
            },
          },
        },
        scales: {
          y: { title: { display: true, text: chart.unit }, ticks: { callback: function (v) { return format.format(v); } } },
        },
      },
    });
  });
})();
