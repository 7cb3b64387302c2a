// The filter bar (portal/includes/filter_bar.html). Without this script everything still works:
// the bar opens when its "筛选" is tapped and each drop-down when its summary is.
// With it: the bar is open on a wide screen (on a phone it stays closed above the results),
// and an open drop-down closes when another opens, on Escape or on a click outside it.
(function () {
  "use strict";

  var WIDE = "(min-width: 641px)";

  function init() {
    var wide = window.matchMedia(WIDE).matches;
    document.querySelectorAll("details[data-filterbar]").forEach(function (bar) {
      if (wide && !bar.dataset.ready) {
        bar.open = true;
      }
      bar.dataset.ready = "1";
    });
    var dropdowns = Array.prototype.slice.call(document.querySelectorAll("details[data-dropdown]"));
    dropdowns.forEach(function (dropdown) {
      dropdown.addEventListener("toggle", function () {
        if (dropdown.open) {
          dropdowns.forEach(function (other) {
            if (other !== dropdown) {
              other.open = false;
            }
          });
        }
      });
    });
    document.addEventListener("click", function (event) {
      dropdowns.forEach(function (dropdown) {
        if (dropdown.open && !dropdown.contains(event.target)) {
          dropdown.open = false;
        }
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") {
        return;
      }
      dropdowns.forEach(function (dropdown) {
        if (dropdown.open) {
          dropdown.open = false;
          dropdown.querySelector("summary").focus();
        }
      });
    });
  }

  // Loaded right after the bar (not deferred), so the bar is open before the first paint.
  init();
})();
