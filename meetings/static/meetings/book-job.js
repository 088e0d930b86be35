/* The meeting book's build page: while the job is queued or running, reload every few seconds
   so the progress and, at the end, the link to the new version appear without a click. */
(function () {
  "use strict";
  var status = document.querySelector("[data-book-job-pending]");
  if (!status) { return; }
  var seconds = parseInt(status.getAttribute("data-book-job-pending"), 10) || 2;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
