/* storymap.theme: the legs, badges and legend in the colours of the page's theme.
 *
 * The stylesheet decides the theme (the story's `theme`, marked on <html> as data-theme, or the
 * reader's setting for `auto`) and says which in its --sm-scheme property. On a dark ground each
 * mode is drawn in its `dark` colour (the same hue, lighter; see storymap.render.dark_colour);
 * a reader who changes their setting while the page is open sees the route change with it.
 */
(function (storymap) {
  "use strict";

  var darkQuery = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function isDark() {
    return getComputedStyle(document.documentElement).getPropertyValue("--sm-scheme").trim() === "dark";
  }

  /* A badge's node, on the map or not (the player takes badges off while it draws). */
  function badgeNode(leg) {
    var icon = leg.badge.options && leg.badge.options.icon;
    return icon && icon.options.html instanceof Element ? icon.options.html : null;
  }

  /* Every mode's colour for the theme, and what is drawn in it now. */
  function paint(app, dark) {
    var data = app.data;
    data.modeList.forEach(function (mode) {
      if (!mode.light) mode.light = mode.color;
      mode.color = dark ? mode.dark : mode.light;
    });
    Object.keys(app.legs).forEach(function (key) {
      var leg = app.legs[key];
      var mode = data.modes[data.chapters[key].leg.mode];
      leg.line.setStyle({ color: mode.color });
      var badge = badgeNode(leg);
      if (!badge) return;
      badge.style.borderColor = mode.color;
      var glyph = badge.querySelector(".sm-icon");
      if (glyph) glyph.style.color = mode.color;
    });
    var items = app.map.getContainer().querySelectorAll(".sm-legend li");
    Array.prototype.forEach.call(items, function (item, k) {
      var mode = data.modeList[k];
      if (!mode) return;
      var line = item.querySelector("line");
      if (line) line.setAttribute("stroke", mode.color);
      var glyph = item.querySelector(".sm-icon");
      if (glyph) glyph.style.color = mode.color;
    });
    storymap.page.emit("theme", { dark: dark });
  }

  /* The map is drawn in the light colours; before the first frame is shown, and whenever the
   * reader's setting changes, it takes the theme's. */
  document.addEventListener("storymap:ready", function () {
    var app = storymap.app;
    var dark = false;
    function update() {
      var now = isDark();
      if (now === dark) return;
      dark = now;
      paint(app, dark);
    }
    update();
    if (darkQuery && darkQuery.addEventListener) darkQuery.addEventListener("change", update);
  });

  storymap.theme = { isDark: isDark, paint: paint };
})((window.storymap = window.storymap || {}));
