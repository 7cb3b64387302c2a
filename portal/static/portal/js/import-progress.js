// The progress of an Excel import (portal/templates/portal/import_job.html): polls the job's
// JSON status (data-status-url) and moves the <progress> bar; once the job has finished, the
// page is loaded again to show its result and row errors. No inline script (the CSP forbids it).
(function () {
  "use strict";

  var INTERVAL_MS = 1500;

  function init() {
    var panel = document.querySelector("[data-status-url]");
    if (!panel || panel.dataset.ready) {
      return;
    }
    panel.dataset.ready = "1";
    var bar = panel.querySelector("[data-import-progress]");
    var text = panel.querySelector("[data-import-progress-text]");
    var label = panel.querySelector("[data-import-status-label]");
    var template = panel.dataset.progressTemplate || "{done} / {total}";

    function show(status) {
      if (label && status.status_label) {
        label.textContent = status.status_label;
      }
      if (status.total_rows) {
        bar.max = status.total_rows;
        bar.value = Math.min(status.processed_rows, status.total_rows);
        bar.textContent = String(status.processed_rows);
        text.textContent = template
          .replace("{done}", String(status.processed_rows))
          .replace("{total}", String(status.total_rows));
      }
    }

    function poll() {
      fetch(panel.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (response.redirected || (response.status >= 400 && response.status < 500)) {
            // Signed out, or the job is no longer ours to see: the page itself says what now.
            window.location.reload();
            return null;
          }
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (status) {
          if (status === null) {
            return;
          }
          show(status);
          if (status.finished) {
            window.location.reload();
          } else {
            window.setTimeout(poll, INTERVAL_MS);
          }
        })
        .catch(function () {
          window.setTimeout(poll, INTERVAL_MS * 4); // the server is busy or away: ask less often
        });
    }

    window.setTimeout(poll, INTERVAL_MS);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
