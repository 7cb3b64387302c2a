/* The world map of the portal's country risk levels (Apache ECharts, on the overseas map's
 * geometry). Served under a strict Content-Security-Policy: no inline script or style; the page
 * hands the data over as JSON (#risk-map-data: code, level, label; #risk-map-names: every ISO
 * code's name in the page's language; #risk-map-labels). A click opens the country's page.
 */
(function () {
  "use strict";

  var container = document.getElementById("risk-map");
  if (!container || typeof echarts === "undefined") {
    return;
  }

  function readJSON(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  var rows = readJSON("risk-map-data");
  var names = readJSON("risk-map-names");
  var labels = readJSON("risk-map-labels");
  var byCode = {};
  rows.forEach(function (row) {
    byCode[row.code] = row;
  });

  function countryUrl(code) {
    return labels.page.replace("/XX/", "/" + encodeURIComponent(code) + "/");
  }

  function tooltip(params) {
    var name = names[params.name];
    if (!name) {
      return "";
    }
    var row = byCode[params.name];
    return name + "\n" + (row ? row.label : labels.none);
  }

  function draw(geo) {
    geo.features.forEach(function (feature, index) {
      if (!feature.properties.code) {
        feature.properties.code = "-" + index;
      }
    });
    echarts.registerMap("world", geo);
    var chart = echarts.init(container, null, { renderer: "canvas" });
    chart.on("finished", function () {
      container.dataset.ready = "true";
    });
    chart.on("click", function (params) {
      if (names[params.name]) {
        window.location.assign(countryUrl(params.name));
      }
    });
    var pieces = Object.keys(labels.levels).map(function (level) {
      return { value: Number(level), label: labels.levels[level], color: labels.colours[level] };
    });
    chart.setOption({
      tooltip: { trigger: "item", renderMode: "richText", formatter: tooltip },
      visualMap: { type: "piecewise", pieces: pieces, left: 16, bottom: 16, orient: "vertical" },
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
          emphasis: { label: { show: false }, itemStyle: { areaColor: "#7a8fb0" } },
          data: rows.map(function (row) {
            return { name: row.code, value: row.level };
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
