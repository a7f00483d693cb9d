/* storymap.locator: where in the world — a small map of the whole journey in a corner, with a
 * box (or a dot) where the chapter is, while a chapter is framed much closer than the journey.
 *
 * It is one SVG drawn from the page's data (the journey's legs and the offline basemap's
 * coarsest land, in Web Mercator), not a second map. It is a control in the map's top-left
 * corner, so that framing, labels and towns keep clear of it; it is hidden on the title card, on
 * chapters framed wide, and on a map too small to spare a corner (a phone's). It is decoration
 * for the eye (aria-hidden: the panel says where the chapter is) and lets clicks through.
 *
 * show(app, i) sets it for chapter i before the map is framed (storymap.navigation.frame calls
 * it); it also follows chapter changes that do not move the map, resizes and the theme.
 */
(function (storymap) {
  "use strict";

  var page = storymap.page;
  var SVG = "http://www.w3.org/2000/svg";
  var CLOSER = 8; /* shown when the chapter's view spans less than 1/8 of the journey's */
  var SMALLEST_MAP = [560, 420]; /* px: a smaller map has no corner to spare */
  var WIDTH = [120, 180]; /* px: the locator's width, about a fifth of the map's */
  var MARGIN = 0.08; /* of the journey's span, around it */
  var DOT = 8; /* px: a chapter drawn smaller than this is a dot in a ring */

  /* Web Mercator, in units of the world's width. */
  function project(lat, lon) {
    var s = Math.sin((Math.max(-85, Math.min(85, lat)) * Math.PI) / 180);
    return [lon / 360, -Math.log((1 + s) / (1 - s)) / (4 * Math.PI)];
  }

  function span(bounds) {
    var a = project(bounds.getSouth(), bounds.getWest());
    var b = project(bounds.getNorth(), bounds.getEast());
    return { x0: a[0], x1: b[0], y0: b[1], y1: a[1] };
  }

  function largest(s) {
    return Math.max(s.x1 - s.x0, s.y1 - s.y0);
  }

  /* Is chapter i framed much closer than the whole journey? */
  function isClose(app, i) {
    if (i === page.TITLE_CARD || i === undefined || i === null) return false;
    var journey = largest(span(L.latLngBounds(app.data.bounds)));
    var chapter = largest(span(storymap.navigation.viewOf(app, i)));
    return journey > 0 && chapter < journey / CLOSER;
  }

  function node(tag, attributes) {
    var out = document.createElementNS(SVG, tag);
    Object.keys(attributes).forEach(function (key) {
      out.setAttribute(key, attributes[key]);
    });
    return out;
  }

  /* A path's "d" for lines of [lat, lon], points closer than a pixel to the last dropped. */
  function pathData(lines, toPx, close) {
    var d = [];
    lines.forEach(function (line) {
      var last = null;
      var part = [];
      line.forEach(function (latlng) {
        var p = toPx(latlng[0], latlng[1]);
        if (last && Math.abs(p[0] - last[0]) < 1 && Math.abs(p[1] - last[1]) < 1) return;
        part.push(p[0].toFixed(1) + " " + p[1].toFixed(1));
        last = p;
      });
      if (part.length > 1) d.push("M" + part.join("L") + (close ? "Z" : ""));
    });
    return d.join("");
  }

  /* The basemap's coarsest level's land rings, as [lat, lon] lines. */
  function landRings(data) {
    var bm = data.basemap;
    if (!bm || !bm.levels || !bm.levels.length) return [];
    var coarsest = null;
    bm.levels.forEach(function (level) {
      if (!level.chapters && (!coarsest || level.zoom < coarsest.zoom)) coarsest = level;
    });
    if (!coarsest) return [];
    var map = coarsest.map;
    var rings = [];
    (map.land || []).forEach(function (polygon) {
      polygon.forEach(function (ring) {
        rings.push(storymap.basemap.unpack(ring, map.step, map.bbox).points);
      });
    });
    return rings;
  }

  function create(app) {
    var map = app.map;
    var data = app.data;
    var box = page.el("div", "sm-locator");
    box.setAttribute("aria-hidden", "true");
    box.style.display = "none";
    var Control = L.Control.extend({
      onAdd: function () {
        return box;
      },
    });
    new Control({ position: "topleft" }).addTo(map);

    var land = null; /* unpacked once, when first drawn */
    var drawn = null; /* {width, height, toPx} of the SVG drawn */
    var mark = null;

    /* The journey in a box about a fifth of the map's width, no flatter than 2:1. */
    function draw() {
      var size = map.getSize();
      var width = Math.round(Math.max(WIDTH[0], Math.min(WIDTH[1], size.x / 5)));
      var s = span(L.latLngBounds(data.bounds));
      var w = Math.max(s.x1 - s.x0, 1e-6);
      var h = Math.max(s.y1 - s.y0, 1e-6);
      var pad = Math.max(w, h) * MARGIN;
      w += 2 * pad;
      h += 2 * pad;
      var height = Math.round(Math.max(width / 2, Math.min(width, (width * h) / w)));
      var scale = Math.min(width / w, height / h);
      var cx = (s.x0 + s.x1) / 2;
      var cy = (s.y0 + s.y1) / 2;
      function toPx(lat, lon) {
        var p = project(lat, lon);
        return [width / 2 + (p[0] - cx) * scale, height / 2 + (p[1] - cy) * scale];
      }
      land = land || landRings(data);
      var svg = node("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, focusable: "false" });
      svg.appendChild(node("rect", { class: "sm-locator-sea", width: width, height: height }));
      if (land.length) svg.appendChild(node("path", { class: "sm-locator-land", d: pathData(land, toPx, true) }));
      var legs = data.chapters
        .filter(function (chapter) {
          return chapter.leg;
        })
        .map(function (chapter) {
          return chapter.leg.path;
        });
      svg.appendChild(node("path", { class: "sm-locator-route", d: pathData(legs, toPx, false) }));
      mark = node("g", { class: "sm-locator-mark" });
      svg.appendChild(mark);
      box.textContent = "";
      box.appendChild(svg);
      drawn = { width: width, height: height, toPx: toPx, mapSize: size.x + "x" + size.y };
    }

    /* The chapter as a box on the small map, or a dot in a ring when it is too small to see. */
    function place(i) {
      var bounds = storymap.navigation.viewOf(app, i);
      var a = drawn.toPx(bounds.getSouth(), bounds.getWest());
      var b = drawn.toPx(bounds.getNorth(), bounds.getEast());
      var x = Math.min(a[0], b[0]);
      var y = Math.min(a[1], b[1]);
      var w = Math.abs(b[0] - a[0]);
      var h = Math.abs(b[1] - a[1]);
      mark.textContent = "";
      if (w < DOT && h < DOT) {
        var c = { cx: (x + w / 2).toFixed(1), cy: (y + h / 2).toFixed(1) };
        mark.appendChild(node("circle", L.extend({ r: 6, class: "sm-locator-ring" }, c)));
        mark.appendChild(node("circle", L.extend({ r: 2.5, class: "sm-locator-dot" }, c)));
      } else {
        mark.appendChild(
          node("rect", { x: x.toFixed(1), y: y.toFixed(1), width: w.toFixed(1), height: h.toFixed(1), class: "sm-locator-box" })
        );
      }
    }

    var shownFor = null;
    function update(i) {
      var size = map.getSize();
      var on = isClose(app, i) && size.x >= SMALLEST_MAP[0] && size.y >= SMALLEST_MAP[1];
      box.style.display = on ? "" : "none";
      shownFor = on ? i : null;
      if (!on) return false;
      if (!drawn || drawn.mapSize !== size.x + "x" + size.y) draw();
      place(i);
      return true;
    }

    /* What does not pass through framing: a chapter opened from the map, a new size. */
    function follow() {
      var before = shownFor;
      update(app.current);
      if (before !== shownFor && app.layout) app.layout();
    }
    document.addEventListener("storymap:chapter", follow);
    map.on("resize", function () {
      drawn = null;
      follow();
    });
    return { show: update, node: box };
  }

  function show(app, i) {
    app.locator = app.locator || create(app);
    return app.locator.show(i);
  }

  storymap.locator = { show: show, isClose: isClose, CLOSER: CLOSER };
})((window.storymap = window.storymap || {}));
