// The report works without this script (it shows the focus date); the
// script only switches dates. It requests nothing. The map is drawn by
// the module script after it (sitemap.js and reportmap.js).
(function () {
  "use strict";
  function setOn(targetId, attr, value) {
    var t = document.getElementById(targetId);
    if (t) { t.setAttribute(attr, value); }
  }
  var tabBars = document.querySelectorAll(".tabs[data-target]");
  Array.prototype.forEach.call(tabBars, function (bar) {
    var buttons = bar.querySelectorAll("button[data-value]");
    function mark(value) {
      Array.prototype.forEach.call(buttons, function (b) {
        b.setAttribute("aria-pressed", String(b.getAttribute("data-value") === value));
      });
    }
    var target = document.getElementById(bar.getAttribute("data-target"));
    if (target) { mark(target.getAttribute(bar.getAttribute("data-attr"))); }
    Array.prototype.forEach.call(buttons, function (b) {
      b.addEventListener("click", function () {
        var value = b.getAttribute("data-value");
        setOn(bar.getAttribute("data-target"), bar.getAttribute("data-attr"), value);
        mark(value);
      });
    });
  });
  var selects = document.querySelectorAll("select[data-target]");
  Array.prototype.forEach.call(selects, function (sel) {
    sel.addEventListener("change", function () {
      setOn(sel.getAttribute("data-target"), sel.getAttribute("data-attr"), sel.value);
    });
  });
  // What the page loaded besides itself: nothing, by design.
  var loaded = window.performance && performance.getEntriesByType ? performance.getEntriesByType("resource").length : 0;
  document.body.setAttribute("data-resources", String(loaded));
  document.body.setAttribute("data-ready", "1");
})();
