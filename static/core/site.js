/* MOL Portal page behaviour. Progressive enhancement only: every page works without it.
 * Loaded from a file (the Content-Security-Policy allows no inline script). */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  ready(function () {
    // After a failed form submission, move focus to the error summary so that keyboard and
    // screen-reader users land on what went wrong (it is also announced: role="alert").
    var summary = document.querySelector(".error-summary[tabindex='-1']");
    if (summary) {
      summary.focus();
    }
  });
})();
