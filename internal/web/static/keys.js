// Keyboard navigation between snapshots and pages. Everything it does is
// also a link; the page works without it.
(function () {
  "use strict";
  function go(rel) {
    var l = document.querySelector('link[rel="' + rel + '"]');
    if (l && l.getAttribute("href")) { window.location.href = l.getAttribute("href"); return true; }
    return false;
  }
  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) { return; }
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) { return; }
    switch (e.key) {
      case "ArrowLeft": case "k": case "p":
        if (go("prev")) { e.preventDefault(); }
        break;
      case "ArrowRight": case "j": case "n":
        if (go("next")) { e.preventDefault(); }
        break;
      case "u":
        if (go("up")) { e.preventDefault(); }
        break;
      case "/":
        var q = document.getElementById("q");
        if (q) { e.preventDefault(); q.focus(); q.select(); }
        break;
    }
  });
})();
