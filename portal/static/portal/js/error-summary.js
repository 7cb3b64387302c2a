// The error summary of a form (portal/includes/form_errors.html): focused when the page opens,
// so the keyboard and screen readers start at the list of problems; each link moves the focus
// to its field and shows the field's label with it.
(function () {
  "use strict";

  function focusField(link, event) {
    var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) {
      return;
    }
    event.preventDefault();
    var field = target.closest(".field") || target;
    field.scrollIntoView();
    target.focus({ preventScroll: true });
  }

  function init() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary || summary.dataset.ready) {
      return;
    }
    summary.dataset.ready = "1";
    summary.focus();
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        focusField(link, event);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
