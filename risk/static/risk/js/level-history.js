/* A country's risk level over time as a step chart (Apache ECharts). The page hands the points
 * over as JSON (#level-chart-data: [{at, level}], oldest first; #level-chart-labels); the table
 * below the chart holds the same data for those who cannot see it. No inline script or style.
 */
(function () {
  "use strict";

  var container = document.getElementById("level-chart");
  if (!container || typeof echarts === "undefined") {
    return;
  }
  var points = JSON.parse(document.getElementById("level-chart-data").textContent);
  var labels = JSON.parse(document.getElementById("level-chart-labels").textContent);
  var chart = echarts.init(container, null, { renderer: "canvas" });
  chart.on("finished", function () {
    container.dataset.ready = "true";
  });
  chart.setOption({
    grid: { left: 88, right: 24, top: 16, bottom: 32 },
    tooltip: {
      trigger: "axis",
      renderMode: "richText",
      formatter: function (params) {
        var point = params[0];
        return point.axisValueLabel + "\n" + labels.levels[String(point.data[1])];
      },
    },
    xAxis: { type: "time" },
    yAxis: {
      type: "value",
      min: 1,
      max: 4,
      interval: 1,
      axisLabel: {
        formatter: function (value) {
          return labels.levels[String(value)] || "";
        },
      },
    },
    series: [
      {
        name: labels.title,
        type: "line",
        step: "end",
        symbolSize: 8,
        lineStyle: { width: 3, color: "#0b3d91" },
        itemStyle: { color: "#0b3d91" },
        data: points.map(function (point) {
          return [point.at, point.level];
        }),
      },
    ],
  });
  window.addEventListener("resize", function () {
    chart.resize();
  });
})();
