/* The unread badge of the intranet header: polls /notifications/badge/ (a long-poll when
   the server holds it, see NOTIFICATIONS_LONGPOLL_SECONDS) and updates without a reload.
   New unread notices are shown with the browser's Notification API once the person allowed it
   (the "show on my desktop" button on the inbox page asks). */
(function () {
  "use strict";
  var badge = document.querySelector("[data-notif-badge]");
  if (!badge) { return; }
  var count = badge.querySelector("[data-notif-count]");
  var url = badge.getAttribute("data-badge-url");
  var latest = parseInt(badge.getAttribute("data-latest") || "0", 10);
  var unread = parseInt(badge.getAttribute("data-unread") || "0", 10);
  var poll = parseInt(badge.getAttribute("data-poll") || "15", 10);
  var canNotify = "Notification" in window;

  function render() {
    count.textContent = String(unread);
    count.hidden = unread === 0;
    badge.setAttribute("data-unread", String(unread));
  }

  function announce(items) {
    if (!canNotify || Notification.permission !== "granted") { return; }
    items.forEach(function (item) {
      var shown = new Notification(item.title, { body: item.body || "", tag: "mol-notice-" + item.id });
      shown.onclick = function () { window.focus(); window.location.href = "/notifications/" + item.id + "/"; };
    });
  }

  function tick() {
    var query = "?latest=" + latest + "&unread=" + unread + "&wait=1";
    fetch(url + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        announce(data["new"] || []);
        latest = data.latest;
        unread = data.unread;
        poll = data.poll || poll;
        render();
        window.setTimeout(tick, poll * 1000);
      })
      .catch(function () { window.setTimeout(tick, Math.max(poll, 30) * 1000); });
  }

  var ask = document.querySelector("[data-notif-permission]");
  if (ask && canNotify && Notification.permission === "default") {
    ask.hidden = false;
    ask.querySelector("[data-notif-enable]").addEventListener("click", function () {
      Notification.requestPermission().then(function () { ask.hidden = true; });
    });
  }
  window.setTimeout(tick, poll * 1000);
})();
