/* The statistics page's bar chart (Apache ECharts): project counts and contract value in USD
 * by the chosen dimension. The data comes as JSON (#statistics-data, Django's json_script);
 * tooltips are drawn on the canvas ("richText"), as the Content-Security-Policy refuses the
 * style attributes of ECharts' HTML tooltips. The table under the chart holds the same figures.
 */
(function () {
  "use strict";

  var container = document.getElementById("statistics-chart");
  if (!container || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(document.getElementById("statistics-data").textContent);
  var lang = document.documentElement.lang || "zh-Hans";
  var whole = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  var compact = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });

  // The filter bar applies as soon as a choice changes.
  var form = document.querySelector("form.filters");
  if (form) {
    form.addEventListener("change", function (event) {
      if (event.target.tagName === "SELECT") {
        form.submit();
      }
    });
  }

  // Category labels must not overlap: each gets the width its bar has (cut short with an
  // ellipsis, the full name in the tooltip and the table), rotated when they would not fit
  // side by side, and the grid makes room for them (containLabel).
  function axisLabel() {
    var slot = container.clientWidth / Math.max(data.labels.length, 1);
    var rotate = data.labels.length > 6 || slot < 72 ? 40 : 0;
    return {
      interval: 0,
      rotate: rotate,
      overflow: "truncate",
      ellipsis: "…",
      width: rotate ? Math.min(120, Math.max(56, container.clientHeight * 0.25)) : Math.max(slot - 8, 24),
      hideOverlap: false,
    };
  }

  var chart = echarts.init(container, null, { renderer: "canvas" });
  chart.on("finished", function () {
    container.dataset.ready = "true";
  });
  chart.setOption({
    color: ["#0b3d91", "#e8b731"],
    legend: { top: 0, type: "scroll" },
    tooltip: {
      trigger: "axis",
      renderMode: "richText",
      axisPointer: { type: "shadow" },
      formatter: function (params) {
        var lines = [params[0].name];
        params.forEach(function (p) {
          lines.push(p.seriesName + "：" + whole.format(p.value));
        });
        return lines.join("\n");
      },
    },
    grid: { left: 16, right: 16, top: 48, bottom: 8, containLabel: true },
    xAxis: {
      type: "category",
      data: data.labels,
      axisLabel: axisLabel(),
    },
    yAxis: [
      { type: "value", name: data.names.count, minInterval: 1 },
      {
        type: "value",
        name: data.names.value,
        splitLine: { show: false },
        axisLabel: {
          formatter: function (value) {
            return compact.format(value);
          },
        },
      },
    ],
    series: [
      { name: data.names.count, type: "bar", data: data.count },
      { name: data.names.value, type: "bar", yAxisIndex: 1, data: data.value },
    ],
  });
  window.addEventListener("resize", function () {
    chart.resize();
    chart.setOption({ xAxis: { axisLabel: axisLabel() } });
  });
})();
