// The main navigation (portal/base.html) is a <details> "菜单" on a phone. On a wide screen the
// stylesheet shows its content without opening it; in a browser whose stylesheet cannot
// (no ::details-content), this opens it there. Loaded right after the menu, not deferred.
(function () {
  "use strict";

  if (window.CSS && CSS.supports && CSS.supports("selector(::details-content)")) {
    return;
  }
  if (window.matchMedia("(min-width: 641px)").matches) {
    document.querySelectorAll("details[data-site-menu]").forEach(function (menu) {
      menu.open = true;
    });
  }
})();
