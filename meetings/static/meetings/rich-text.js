/* A small rich-text editor for the sections of a unit's report, under the portal's CSP
   (script-src 'self': no inline script, no eval, no inline style).

   Each <textarea data-rich-text="{labels as JSON}"> gets a toolbar (bold, italic, lists, a
   heading, a paragraph, a table and a table row) and an editable area; the textarea is hidden
   and receives the area's HTML on every change and on submit. Without JavaScript the textarea
   itself is used (plain text; the server makes paragraphs of it). The HTML the area starts with
   is copied through an allow-list here, and whatever is posted is sanitised again on the server
   (nh3, meetings.constants.RICH_TEXT_TAGS): this script is a convenience, not the defence. */
(function () {
  "use strict";
  var ALLOWED = ["P", "BR", "STRONG", "B", "EM", "I", "U", "UL", "OL", "LI", "H3", "H4",
    "TABLE", "THEAD", "TBODY", "TR", "TH", "TD", "BLOCKQUOTE"];
  var SPANS = ["colspan", "rowspan"];

  function copyAllowed(source, target) {
    Array.prototype.forEach.call(source.childNodes, function (node) {
      if (node.nodeType === 3) {
        target.appendChild(document.createTextNode(node.nodeValue));
      } else if (node.nodeType === 1) {
        if (node.tagName === "SCRIPT" || node.tagName === "STYLE") { return; }
        if (ALLOWED.indexOf(node.tagName) === -1) {
          copyAllowed(node, target);  // keep the text of a dropped tag
          return;
        }
        var copy = document.createElement(node.tagName.toLowerCase());
        if (node.tagName === "TD" || node.tagName === "TH") {
          SPANS.forEach(function (name) {
            var value = node.getAttribute(name);
            if (value && /^[0-9]{1,2}$/.test(value)) { copy.setAttribute(name, value); }
          });
        }
        copyAllowed(node, copy);
        target.appendChild(copy);
      }
    });
  }

  function load(area, html) {
    var parsed = new DOMParser().parseFromString(html || "", "text/html");  // runs nothing
    area.textContent = "";
    copyAllowed(parsed.body, area);
  }

  function closest(node, tag, root) {
    while (node && node !== root) {
      if (node.nodeType === 1 && node.tagName === tag) { return node; }
      node = node.parentNode;
    }
    return null;
  }

  function setup(textarea) {
    if (textarea.getAttribute("data-rich-text-ready")) { return; }
    textarea.setAttribute("data-rich-text-ready", "1");
    var labels = {};
    try { labels = JSON.parse(textarea.getAttribute("data-rich-text") || "{}"); } catch (e) { labels = {}; }
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    if (label && !label.id) { label.id = textarea.id + "_label"; }

    var bar = document.createElement("div");
    bar.className = "mtg-rte-bar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", labels.toolbar || "Formatting");
    if (textarea.id) { bar.setAttribute("aria-controls", textarea.id + "_editor"); }

    var area = document.createElement("div");
    area.className = "form-control mtg-rte-area";
    area.contentEditable = "true";
    area.id = textarea.id + "_editor";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    if (label) { area.setAttribute("aria-labelledby", label.id); }
    var described = textarea.getAttribute("aria-describedby");
    if (described) { area.setAttribute("aria-describedby", described); }
    load(area, textarea.value);

    function sync() { textarea.value = area.innerHTML; }

    var actions = [
      ["bold", function () { document.execCommand("bold"); }],
      ["italic", function () { document.execCommand("italic"); }],
      ["bullets", function () { document.execCommand("insertUnorderedList"); }],
      ["numbers", function () { document.execCommand("insertOrderedList"); }],
      ["heading", function () { document.execCommand("formatBlock", false, "h4"); }],
      ["paragraph", function () { document.execCommand("formatBlock", false, "p"); }],
      ["table", function () {
        document.execCommand("insertHTML", false,
          "<table><thead><tr><th>" + (labels.item || "Item") + "</th><th>" +
          (labels.value || "Value") + "</th></tr></thead><tbody><tr><td><br></td><td><br></td>" +
          "</tr></tbody></table><p><br></p>");
      }],
      ["row", function () {
        var selection = window.getSelection();
        var row = selection.rangeCount && closest(selection.anchorNode, "TR", area);
        if (!row) { return; }
        var copy = row.cloneNode(false);
        Array.prototype.forEach.call(row.children, function () {
          var cell = document.createElement("td");
          cell.appendChild(document.createElement("br"));
          copy.appendChild(cell);
        });
        var body = closest(row, "THEAD", area) ? row.parentNode.parentNode.querySelector("tbody") : null;
        if (body) { body.insertBefore(copy, body.firstChild); } else { row.parentNode.insertBefore(copy, row.nextSibling); }
      }]
    ];
    actions.forEach(function (action) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-outline-dark";
      button.textContent = labels[action[0]] || action[0];
      button.setAttribute("data-command", action[0]);
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () {
        area.focus();
        action[1]();
        sync();
      });
      bar.appendChild(button);
    });

    area.addEventListener("input", sync);
    area.addEventListener("blur", sync);
    if (textarea.form) { textarea.form.addEventListener("submit", sync); }
    textarea.hidden = true;
    textarea.parentNode.insertBefore(bar, textarea);
    textarea.parentNode.insertBefore(area, textarea);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-rich-text]"), setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
