/* A form marked data-submit-once is sent once: after the first submit its submit buttons are
   disabled and further submits are ignored, so a double click sends one request. The server
   makes a repeated form harmless anyway (petitions.services.cases.petition_submit). Coming
   back to the page from the browser's cache (back button) enables the form again.
   Loaded as a static file (no inline script: the Content-Security-Policy forbids it). */
(function () {
  "use strict";

  function buttons(form) {
    return form.querySelectorAll("button[type=submit], input[type=submit]");
  }

  function reset(form) {
    delete form.dataset.submitting;
    buttons(form).forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("aria-disabled");
    });
  }

  function guard(form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.submitting === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.submitting = "1";
      // Disabled after the submission has started (the browser has read the form's data).
      window.setTimeout(function () {
        buttons(form).forEach(function (button) {
          button.disabled = true;
          button.setAttribute("aria-disabled", "true");
        });
      }, 0);
    });
  }

  function init() {
    document.querySelectorAll("form[data-submit-once]").forEach(guard);
  }

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[data-submit-once]").forEach(reset);
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
