/* The overseas map (海外图谱): approved projects by country on a world map (Apache ECharts).
 *
 * Served under a strict Content-Security-Policy: no inline script or style. The page hands the
 * data over as JSON (Django's json_script): #map-data (code, name, count and, for officials,
 * value), #map-country-names (every ISO code's name in the page's language) and #map-labels;
 * the container's data- attributes name the geometry file and the list each country links to.
 * Tooltips are drawn on the canvas (renderMode "richText"): ECharts' HTML tooltips would carry
 * style attributes, which the policy refuses.
 */
(function () {
  "use strict";

  var container = document.getElementById("project-map");
  if (!container || typeof echarts === "undefined") {
    return;
  }

  function readJSON(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  var rows = readJSON("map-data");
  var names = readJSON("map-country-names");
  var labels = readJSON("map-labels");
  var metric = container.dataset.metric === "value" ? "value" : "count";
  var numbers = new Intl.NumberFormat(document.documentElement.lang || "zh-Hans", { maximumFractionDigits: 0 });
  var byCode = {};
  rows.forEach(function (row) {
    byCode[row.code] = row;
  });

  // The filter bar applies as soon as a choice changes.
  var form = document.querySelector("form.filters");
  if (form) {
    form.addEventListener("change", function (event) {
      if (event.target.tagName === "SELECT") {
        form.submit();
      }
    });
  }

  function listUrl(code) {
    var query = ["country=" + encodeURIComponent(code)];
    if (container.dataset.listQuery) {
      query.push(container.dataset.listQuery);
    }
    return container.dataset.listUrl + "?" + query.join("&");
  }

  function tooltip(params) {
    var name = names[params.name];
    if (!name) {
      return "";
    }
    var row = byCode[params.name];
    if (!row) {
      return name + "\n" + labels.none;
    }
    var lines = [name, labels.count + "：" + numbers.format(row.count)];
    if (row.value !== undefined) {
      lines.push(labels.value + "：" + numbers.format(row.value));
    }
    return lines.join("\n");
  }

  function draw(geo) {
    // Features without an ISO code (a disputed glacier, some islands) get a key of their own.
    geo.features.forEach(function (feature, index) {
      if (!feature.properties.code) {
        feature.properties.code = "-" + index;
      }
    });
    echarts.registerMap("world", geo);
    var chart = echarts.init(container, null, { renderer: "canvas" });
    var max = rows.reduce(function (m, row) {
      return Math.max(m, row[metric] || 0);
    }, 1);
    chart.on("finished", function () {
      container.dataset.ready = "true";
    });
    chart.on("click", function (params) {
      if (byCode[params.name]) {
        window.location.assign(listUrl(params.name));
      }
    });
    chart.setOption({
      tooltip: { trigger: "item", renderMode: "richText", formatter: tooltip },
      visualMap: {
        type: "continuous",
        min: 0,
        max: max,
        left: 16,
        bottom: 16,
        calculable: false,
        text: [labels.high, labels.low],
        inRange: { color: ["#c6dbf7", "#5b8fd9", "#0b3d91"] },
        formatter: function (value) {
          return numbers.format(value);
        },
      },
      series: [
        {
          type: "map",
          map: "world",
          nameProperty: "code",
          left: 8,
          right: 8,
          top: 8,
          bottom: 8,
          roam: true,
          scaleLimit: { min: 1, max: 12 },
          selectedMode: false,
          itemStyle: { areaColor: "#e8ecf1", borderColor: "#ffffff", borderWidth: 0.5 },
          emphasis: { label: { show: false }, itemStyle: { areaColor: "#e8b731" } },
          data: rows.map(function (row) {
            return { name: row.code, value: row[metric] || 0 };
          }),
        },
      ],
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  fetch(container.dataset.geoUrl, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("world geometry: HTTP " + response.status);
      }
      return response.json();
    })
    .then(draw)
    .catch(function (error) {
      container.classList.add("map--failed");
      container.textContent = labels.failed || "";
      console.warn(error);
    });
})();
