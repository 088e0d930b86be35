/* The paperless meeting screen: one slide at a time, keyboard and swipe navigation, and
   "follow the presenter" through the meeting's server-sent events. The presenter's own moves
   are posted to the server; everyone else's screen follows until they browse on their own
   (then "Rejoin the presenter" brings them back). */
(function () {
  "use strict";
  var root = document.getElementById("mtg-screen");
  if (!root) { return; }
  var slides = Array.prototype.slice.call(root.querySelectorAll(".mtg-slide"));
  var keys = slides.map(function (s) { return s.getAttribute("data-key"); });
  var presenter = root.getAttribute("data-presenter") === "1";
  var token = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var texts = document.getElementById("mtg-texts").content;
  var text = function (name) { return texts.querySelector("[data-" + name + "]").textContent; };
  var followButton = document.getElementById("mtg-follow");
  var position = document.getElementById("mtg-position");
  var following = true;
  var presenterKey = root.getAttribute("data-current");
  var current = null;

  root.classList.add("mtg-screen-js");

  function show(key) {
    if (keys.indexOf(key) < 0) { key = keys[0]; }
    current = key;
    slides.forEach(function (s) { s.hidden = s.getAttribute("data-key") !== key; });
    position.textContent = (keys.indexOf(key) + 1) + " / " + keys.length;
    root.setAttribute("data-shown", key);
  }

  function setFollowing(on) {
    following = on;
    if (followButton) {
      followButton.setAttribute("aria-pressed", on ? "true" : "false");
      followButton.textContent = on ? text("following") : text("rejoin");
    }
    if (on) { show(presenterKey); }
  }

  function post(url, data) {
    var body = new URLSearchParams(data);
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": token, "X-Requested-With": "fetch"}
    });
  }

  function move(step) {
    var index = keys.indexOf(current) + step;
    if (index < 0 || index >= keys.length) { return; }
    var key = keys[index];
    show(key);
    if (presenter) {
      presenterKey = key;
      post(root.getAttribute("data-advance-url"), {slide: key});
    } else if (following) {
      setFollowing(false);
    }
  }

  root.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action]");
    if (!button) { return; }
    var action = button.getAttribute("data-action");
    if (action === "next") { move(1); }
    if (action === "prev") { move(-1); }
    if (action === "follow") { setFollowing(!following); }
  });

  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "textarea" || tag === "input" || tag === "select") { return; }
    if (event.key === "ArrowRight" || event.key === "PageDown") { event.preventDefault(); move(1); }
    if (event.key === "ArrowLeft" || event.key === "PageUp") { event.preventDefault(); move(-1); }
  });

  var startX = null;
  root.addEventListener("touchstart", function (e) { startX = e.changedTouches[0].clientX; }, {passive: true});
  root.addEventListener("touchend", function (e) {
    if (startX === null) { return; }
    var dx = e.changedTouches[0].clientX - startX;
    startX = null;
    if (Math.abs(dx) > 60) { move(dx < 0 ? 1 : -1); }
  });

  root.querySelectorAll("[data-note-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var status = form.querySelector("[data-note-status]");
      post(root.getAttribute("data-note-url"), new FormData(form)).then(function (r) {
        status.textContent = r.ok ? text("saved") : text("failed");
      }, function () { status.textContent = text("failed"); });
    });
  });

  show(presenterKey);
  if (window.EventSource) {
    var source = new EventSource(root.getAttribute("data-events-url"));
    source.addEventListener("slide", function (event) {
      var data = JSON.parse(event.data);
      presenterKey = data.slide;
      if (following && !presenter) { show(presenterKey); }
    });
  }
}());
