/* storymap watch: reload after a good build, show the problems of a bad one.
 * Added to the page by the watch server only; never part of a built page. */
(function () {
  "use strict";
  var overlay = null;

  function show(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.className = "sm-watch-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText =
        "position:fixed;left:12px;right:12px;bottom:12px;z-index:100000;max-height:50vh;" +
        "overflow:auto;background:#7f1d1d;color:#fff;padding:12px 16px;border-radius:8px;" +
        "font:13px/1.45 ui-monospace,Menlo,Consolas,monospace;box-shadow:0 4px 16px rgba(0,0,0,.4)";
      var heading = document.createElement("strong");
      heading.textContent = "The story has problems; this is the last good page.";
      var pre = document.createElement("pre");
      pre.style.cssText = "margin:8px 0 0;white-space:pre-wrap";
      overlay.appendChild(heading);
      overlay.appendChild(pre);
      document.body.appendChild(overlay);
    }
    overlay.querySelector("pre").textContent = text;
  }

  /* The chapter survives a reload through the address; if an edit renamed it (a chapter id
   * made from its title), through its number, kept for this tab. */
  var KEY = "storymap:watch:chapter";
  var app = window.storymap && window.storymap.app;
  try {
    var saved = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
    if (app && saved !== null && app.unknownLink) app.go(Number(saved), { animate: false });
  } catch (e) {
    /* no storage: the address alone */
  }

  var events = new EventSource("/__storymap/events");
  events.addEventListener("reload", function () {
    try {
      if (app) sessionStorage.setItem(KEY, String(app.current));
    } catch (e) {
      /* no storage */
    }
    location.reload();
  });
  events.addEventListener("problem", function (event) {
    show(JSON.parse(event.data));
  });
})();
