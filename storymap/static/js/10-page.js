/* storymap.page: small helpers the other parts share — DOM, events, screen boxes, playback geometry.
 *
 * storymap tells a story on a Leaflet map. The page holds the story's text as HTML (a title card
 * and one section per chapter, readable without this script); the script is handed what the map
 * needs as one JSON object. A panel beside the
 * map (a bottom sheet on narrow screens) shows the title card and then one chapter at a time; the
 * map flies to each chapter's leg and stop. The reader moves with buttons, the keyboard, the
 * chapter list, the map itself or a link to page.html#chapter-id, and can play the journey leg
 * by leg.
 *
 * The script is in parts (storymap/static/js/*.js), inlined into the page in the order of their
 * names; each adds one name to the `storymap` object, as Leaflet's modules add to `L`:
 * page, panel, basemap, layers, navigation, player, and last init, which wires them together.
 *
 * Text of the script's own is inserted with textContent; the only HTML it inserts is the mode
 * icons, which ship with storymap.
 */
(function (storymap) {
  "use strict";

  /* Before the body is read: the styles for a page the script enhances, not a plain article. */
  document.documentElement.classList.add("sm-js");

  // --- small DOM helpers ------------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function link(href, text) {
    var a = el("a", null, text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function button(className, label, text) {
    var b = el("button", className, text);
    b.type = "button";
    if (label) b.setAttribute("aria-label", label);
    return b;
  }

  function icon(mode, className) {
    var span = el("span", className || "sm-icon");
    span.setAttribute("aria-hidden", "true");
    span.innerHTML = mode.icon; /* a file of storymap's, not story text */
    span.style.color = mode.color;
    return span;
  }

  /* A node of our own as a Leaflet control, its clicks and wheel kept from the map. */
  function control(position, node) {
    var Control = L.Control.extend({
      onAdd: function () {
        L.DomEvent.disableClickPropagation(node);
        L.DomEvent.disableScrollPropagation(node);
        return node;
      },
    });
    return new Control({ position: position });
  }

  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent("storymap:" + name, { detail: detail }));
  }

  var motionQuery = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;

  function prefersReducedMotion() {
    return !!(motionQuery && motionQuery.matches);
  }

  // --- boxes on the screen, in the map's pixels --------------------------------------------

  function rect(x, y, w, h) {
    return { left: x, top: y, right: x + w, bottom: y + h };
  }

  function around(p, size) {
    return rect(p.x - size / 2, p.y - size / 2, size, size);
  }

  function hits(a, b) {
    return a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top;
  }

  function grown(r, by) {
    return { left: r.left - by, top: r.top - by, right: r.right + by, bottom: r.bottom + by };
  }

  /* The controls and the legend, in the map's own pixels. */
  function controlRects(mapNode) {
    var box = mapNode.getBoundingClientRect();
    return Array.prototype.slice
      .call(mapNode.querySelectorAll(".leaflet-control"))
      .map(function (node) {
        var r = node.getBoundingClientRect();
        return { left: r.left - box.left, top: r.top - box.top, right: r.right - box.left, bottom: r.bottom - box.top };
      })
      .filter(function (r) {
        return r.right > r.left && r.bottom > r.top;
      });
  }

  // --- geometry for playback -----------------------------------------------------------------

  function cumulative(path) {
    var out = [0];
    for (var i = 1; i < path.length; i++) {
      var a = path[i - 1];
      var b = path[i];
      var k = Math.cos(((a[0] + b[0]) / 2) * (Math.PI / 180));
      var dx = (b[1] - a[1]) * k;
      var dy = b[0] - a[0];
      out.push(out[i - 1] + Math.sqrt(dx * dx + dy * dy));
    }
    return out;
  }

  /* The point halfway along `path` as drawn (in Web Mercator), and the path's length there. */
  function middle(map, path) {
    var points = path.map(function (p) {
      return map.project(p, 0);
    });
    var lengths = [0];
    for (var i = 1; i < points.length; i++) lengths.push(lengths[i - 1] + points[i].distanceTo(points[i - 1]));
    var half = lengths[lengths.length - 1] / 2;
    var k = 1;
    while (k < points.length - 1 && lengths[k] < half) k++;
    if (points.length < 2) return { latlng: L.latLng(path[0]), length0: 0 };
    var t = (half - lengths[k - 1]) / (lengths[k] - lengths[k - 1] || 1);
    var a = points[k - 1];
    var b = points[k];
    return {
      latlng: map.unproject(L.point(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t), 0),
      length0: lengths[lengths.length - 1] /* pixels at zoom 0 */,
    };
  }

  /* The part of `path` up to fraction f of its length, ending at the interpolated head. */
  function partial(path, cum, f) {
    var total = cum[cum.length - 1];
    if (f >= 1 || total === 0) return path.slice();
    var target = total * Math.max(0, f);
    var i = 1;
    while (i < cum.length - 1 && cum[i] < target) i++;
    var span = cum[i] - cum[i - 1] || 1;
    var t = (target - cum[i - 1]) / span;
    var a = path[i - 1];
    var b = path[i];
    var head = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
    return path.slice(0, i).concat([head]);
  }

  /* Seconds a leg plays at speed 1: grows with distance, within bounds. */
  function legSeconds(km) {
    return Math.min(9, Math.max(2.5, 2 + 1.6 * Math.log10(1 + km)));
  }

  storymap.page = {
    TITLE_CARD: -1,
    MANY: 200 /* chapters: beyond this, no mode badge on each leg and no place labels */,
    SCRUB_STEPS: 1000,
    STOP: 28 /* a stop marker's width, px */,
    BADGE: 24 /* a mode badge's */,
    GAP: 3 /* between markers and labels */,
    el: el,
    link: link,
    button: button,
    icon: icon,
    control: control,
    emit: emit,
    prefersReducedMotion: prefersReducedMotion,
    rect: rect,
    around: around,
    hits: hits,
    grown: grown,
    controlRects: controlRects,
    cumulative: cumulative,
    middle: middle,
    partial: partial,
    legSeconds: legSeconds,
  };
})((window.storymap = window.storymap || {}));
