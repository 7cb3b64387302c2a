// The dispatch page while an alert goes out: reload every data-refresh seconds.
(function () {
  "use strict";
  var page = document.querySelector("[data-refresh]");
  if (!page) return;
  var seconds = parseInt(page.getAttribute("data-refresh"), 10) || 10;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
