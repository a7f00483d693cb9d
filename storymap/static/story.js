/* storymap: tells a story handed over as one JSON object, on a Leaflet map.
 *
 * A panel beside the map (a bottom sheet on narrow screens) shows a title card and
 * then one chapter at a time; the map flies to each chapter's leg and stop. The
 * reader moves with buttons, the keyboard, the chapter list, the map itself or a
 * link to page.html#chapter-id, and can play the journey leg by leg.
 *
 * Text from the story is inserted with textContent; the only HTML inserted is the
 * narrative Markdown, which the builder has already sanitized, and the mode icons,
 * which ship with storymap.
 */
(function () {
  "use strict";

  var TITLE_CARD = -1;
  var MANY = 200; /* chapters: beyond this, no mode badge on each leg and no place labels */
  var SCRUB_STEPS = 1000;
  var STOP = 28; /* a stop marker's width, px */
  var BADGE = 24; /* a mode badge's */
  var GAP = 3; /* between markers and labels */

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

  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent("storymap:" + name, { detail: detail }));
  }

  var motionQuery = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;

  function prefersReducedMotion() {
    return !!(motionQuery && motionQuery.matches);
  }

  // --- what a chapter shows ----------------------------------------------------------------

  function legSummary(data, leg) {
    var mode = data.modes[leg.mode];
    var p = el("p", "sm-leg");
    p.appendChild(icon(mode));
    var parts = [mode.label + " from " + leg.from, leg.distance];
    if (leg.duration) parts.push(leg.duration);
    if (leg.speed) parts.push("about " + leg.speed);
    p.appendChild(el("span", null, parts.join(" · ")));
    return p;
  }

  function mediaFigure(item) {
    var figure = el("figure", "sm-media");
    if (item.kind === "image") {
      var img = el("img");
      img.src = item.src;
      img.alt = item.alt || "";
      img.loading = "lazy";
      figure.appendChild(img);
    } else {
      figure.appendChild(link(item.href, "Image: " + (item.alt || item.href)));
    }
    if (item.caption || item.credit) {
      var caption = el("figcaption");
      if (item.caption) caption.appendChild(el("span", "sm-caption", item.caption));
      if (item.credit) caption.appendChild(el("span", "sm-credit", item.credit));
      figure.appendChild(caption);
    }
    return figure;
  }

  function chapterContent(data, chapter, headingTag) {
    var article = el("article", "sm-chapter");
    article.setAttribute("data-chapter", chapter.id);
    article.appendChild(
      el("p", "sm-kicker", "Stop " + chapter.n + " of " + data.chapters.length + " · " + chapter.place.name)
    );
    article.appendChild(el(headingTag || "h2", "sm-title", chapter.title));
    if (chapter.date) article.appendChild(el("p", "sm-date", chapter.date));
    if (chapter.leg) article.appendChild(legSummary(data, chapter.leg));
    if (chapter.html) {
      var text = el("div", "sm-text");
      text.innerHTML = chapter.html; /* sanitized Markdown */
      article.appendChild(text);
    }
    chapter.media.forEach(function (item) {
      article.appendChild(mediaFigure(item));
    });
    return article;
  }

  function sourcesList(data) {
    var details = el("details", "sm-sources");
    details.appendChild(el("summary", null, "Sources (" + data.sources.length + ")"));
    var list = el("ul");
    data.sources.forEach(function (source) {
      var item = el("li");
      item.appendChild(source.url ? link(source.url, source.title) : el("span", null, source.title));
      list.appendChild(item);
    });
    details.appendChild(list);
    return details;
  }

  function titleCard(data, start) {
    var card = el("article", "sm-card");
    card.appendChild(el("h1", null, data.title));
    if (data.subtitle) card.appendChild(el("p", "sm-subtitle", data.subtitle));
    var meta = [data.byline, data.date].filter(Boolean).join(" · ");
    if (meta) card.appendChild(el("p", "sm-byline", meta));
    if (data.total) {
      card.appendChild(el("p", "sm-total", data.chapters.length + " stops · " + data.total + " in all"));
    }
    var begin = button("sm-begin", null, "Begin the journey ›");
    begin.addEventListener("click", start);
    card.appendChild(begin);
    if (data.intro) {
      var intro = el("div", "sm-text");
      intro.innerHTML = data.intro; /* sanitized Markdown */
      card.appendChild(intro);
    }
    if (data.sources.length) card.appendChild(sourcesList(data));
    return card;
  }

  function legend(data) {
    var box = el("div", "sm-legend");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "Legend");
    var list = el("ul");
    data.modeList.forEach(function (mode) {
      var item = el("li");
      var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.setAttribute("width", "30");
      svg.setAttribute("height", "10");
      svg.setAttribute("aria-hidden", "true");
      var line = document.createElementNS("http://www.w3.org/2000/svg", "line");
      line.setAttribute("x1", "2");
      line.setAttribute("y1", "5");
      line.setAttribute("x2", "28");
      line.setAttribute("y2", "5");
      line.setAttribute("stroke", mode.color);
      line.setAttribute("stroke-width", "4");
      if (mode.dash) line.setAttribute("stroke-dasharray", mode.dash);
      svg.appendChild(line);
      item.appendChild(svg);
      item.appendChild(icon(mode));
      item.appendChild(el("span", null, mode.label));
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

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

  // --- base layers: tiles, and the offline basemap --------------------------------------------

  var SEA = "#d4e4ef";
  var BASEMAP_STYLE = {
    sea: { stroke: false, fill: true, fillColor: SEA, fillOpacity: 1, className: "sm-bm-sea" },
    land: { stroke: false, fill: true, fillColor: "#f1eee4", fillOpacity: 1, className: "sm-bm-land" },
    lake: { stroke: false, fill: true, fillColor: SEA, fillOpacity: 1, className: "sm-bm-water" },
    shore: { color: "#7fa7c4", weight: 0.8, fill: false, className: "sm-bm-water" },
    river: { color: "#7fb0d3", weight: 1.6, fill: false, className: "sm-bm-water" },
    coast: { color: "#6f93ad", weight: 1, fill: false, className: "sm-bm-lines" },
    border: { color: "#7d6b8f", weight: 1.3, dashArray: "5 3", fill: false, className: "sm-bm-lines" },
  };
  var BASE_PANES = 4; /* the world's and the journey's levels, and a chapter's two */

  /* A part of a packed level (see storymap.render.packed) as [lat, lon] pairs, and whether
   * each point lies on the level's window edge, where the clip cut the land. */
  function unpack(text, step, box) {
    var flat = [];
    for (var i = 0; i < text.length; ) {
      var shift = 0;
      var value = 0;
      var b;
      do {
        b = text.charCodeAt(i++) - 63;
        value |= (b & 0x1f) << shift;
        shift += 5;
      } while (b >= 0x20);
      flat.push(value & 1 ? ~(value >> 1) : value >> 1);
    }
    var points = [];
    var edge = [];
    var x = 0;
    var y = 0;
    var near = 2; /* steps */
    var west = box[0] / step;
    var south = box[1] / step;
    var east = box[2] / step;
    var north = box[3] / step;
    for (var k = 0; k + 1 < flat.length; k += 2) {
      x += flat[k];
      y += flat[k + 1];
      points.push([y * step, x * step]);
      edge.push(
        (Math.abs(x - west) <= near ? 1 : 0) |
          (Math.abs(x - east) <= near ? 2 : 0) |
          (Math.abs(y - south) <= near ? 4 : 0) |
          (Math.abs(y - north) <= near ? 8 : 0)
      );
    }
    return { points: points, edge: edge };
  }

  /* The shore of filled rings: every segment but those along the window's edge. */
  function shores(rings) {
    var lines = [];
    rings.forEach(function (ring) {
      var line = [];
      for (var k = 1; k < ring.points.length; k++) {
        if (ring.edge[k - 1] & ring.edge[k]) {
          if (line.length > 1) lines.push(line);
          line = [];
          continue;
        }
        if (!line.length) line.push(ring.points[k - 1]);
        line.push(ring.points[k]);
      }
      if (line.length > 1) lines.push(line);
    });
    return lines;
  }

  /* One level of the offline map in one pane: its window filled with sea, then its land,
   * lakes, rivers, coasts and borders, all from one simplification, so that fill and lines
   * agree, and drawn whole over the coarser levels. */
  function levelLayer(level, pane, attribution) {
    var bm = level.map;
    var box = bm.bbox; /* [west, south, east, north] */
    function style(kind) {
      return L.extend({ pane: pane, interactive: false }, BASEMAP_STYLE[kind]);
    }
    function polygons(kind) {
      return (bm[kind] || []).map(function (polygon) {
        return polygon.map(function (ring) {
          return unpack(ring, bm.step, box);
        });
      });
    }
    function lines(kind) {
      return (bm[kind] || []).map(function (line) {
        return unpack(line, bm.step, box).points;
      });
    }
    function points(rings) {
      return rings.map(function (ring) {
        return ring.points;
      });
    }
    var land = polygons("land");
    var lakes = polygons("lake");
    /* The sea stops a pixel short of the window, so that no hairline of it shows where the
     * land of this level meets the land of the coarser one beneath. */
    var inset = bm.step * 4;
    var cos = function (lat) {
      return Math.cos((lat * Math.PI) / 180);
    };
    var layers = [
      L.rectangle(
        [
          [box[1] + inset * cos(box[1]), box[0] + inset],
          [box[3] - inset * cos(box[3]), box[2] - inset],
        ],
        L.extend(style("sea"), { attribution: attribution })
      ),
    ];
    if (land.length) layers.push(L.polygon(land.map(points), style("land")));
    if (lakes.length) layers.push(L.polygon(lakes.map(points), style("lake")));
    var rivers = lines("river");
    if (rivers.length) layers.push(L.polyline(rivers, style("river")));
    var coast = shores([].concat.apply([], land));
    if (coast.length) layers.push(L.polyline(coast, style("coast")));
    var shore = shores([].concat.apply([], lakes));
    if (shore.length) layers.push(L.polyline(shore, style("shore")));
    var borders = lines("border");
    if (borders.length) layers.push(L.polyline(borders, style("border")));
    return L.layerGroup(layers);
  }

  /* The offline basemap: the journey's level always, and the current chapter's finer levels
   * from the zoom where they matter, each drawn whole over the coarser ones. */
  function offlineBasemap(map, data, app) {
    var bm = data.basemap;
    for (var p = 0; p < BASE_PANES; p++) map.createPane("sm-base" + p).style.zIndex = String(240 + p);
    var credit = "Natural Earth · GSHHG · GeoNames";
    var group = L.layerGroup();
    var made = {};
    function layer(k, pane) {
      var key = k + ":" + pane;
      made[key] = made[key] || levelLayer(bm.levels[k], "sm-base" + pane, bm.levels[k].chapters ? null : credit);
      return made[key];
    }
    var shown = [];
    function update() {
      if (!map.hasLayer(group)) return;
      var zoom = map.getZoom();
      var want = [];
      bm.levels.forEach(function (level, k) {
        if (!level.chapters || (level.chapters.indexOf(app.current) >= 0 && zoom >= level.minZoom)) want.push(k);
      });
      want.sort(function (a, b) {
        return bm.levels[a].zoom - bm.levels[b].zoom;
      });
      var layers = want.slice(0, BASE_PANES).map(function (k, pane) {
        return layer(k, pane);
      });
      if (layers.length === shown.length && layers.every(function (l, i) { return l === shown[i]; })) return;
      shown.forEach(function (l) {
        if (layers.indexOf(l) < 0) group.removeLayer(l);
      });
      layers.forEach(function (l) {
        group.addLayer(l);
      });
      shown = layers;
    }
    map.on("zoomend", update);
    document.addEventListener("storymap:chapter", update);
    group.on("add", function () {
      map.getContainer().classList.add("sm-offline");
      shown = [];
      update();
      app.setOffline(true);
    });
    group.on("remove", function () {
      map.getContainer().classList.remove("sm-offline");
      app.setOffline(false);
    });
    return group;
  }

  /* Tiles when they load; the offline basemap when they do not, said in one quiet line. */
  /* A stand-in for the offline basemap that builds it the first time it is shown. */
  function lazyBasemap(map, data, app) {
    var group = L.layerGroup();
    var built = null;
    group.on("add", function () {
      built = built || offlineBasemap(map, data, app);
      built.addTo(map);
    });
    group.on("remove", function () {
      if (built) map.removeLayer(built);
    });
    return group;
  }

  /* The base layers and their control; the returned function puts the first one on the map,
   * once the view is set, so that it is drawn once. */
  function baseLayers(map, data, app) {
    if (!data.tiles) {
      return function () {
        if (data.basemap) offlineBasemap(map, data, app).addTo(map);
      };
    }
    var options = L.extend({ updateWhenZooming: false }, data.tiles.options);
    var tiles = L.tileLayer(data.tiles.url, options);
    if (!data.basemap) {
      return function () {
        tiles.addTo(map);
      };
    }
    var offline = lazyBasemap(map, data, app);
    var layers = {};
    layers[data.tiles.name] = tiles;
    layers["Offline map"] = offline;
    L.control.layers(layers, null, { position: "topright" }).addTo(map);
    var loaded = 0;
    var failed = 0;
    tiles.on("tileload", function () {
      loaded++;
    });
    tiles.on("tileerror", function () {
      failed++;
    });
    function fallBack() {
      if (loaded || !failed || !map.hasLayer(tiles) || app.tilesFailed) return;
      app.tilesFailed = true;
      map.removeLayer(tiles);
      offline.addTo(map);
      var notice = el("p", "sm-notice", "Map tiles could not be loaded, so this is the offline map.");
      notice.setAttribute("role", "status");
      control("bottomleft", notice).addTo(map);
      emit("fallback", { failed: failed });
    }
    tiles.on("load", function () {
      setTimeout(fallBack, 0); /* not while the tile layer is still in its own event */
    });
    return function () {
      tiles.addTo(map);
      setTimeout(fallBack, 8000); /* tiles that never answer */
    };
  }

  var FULLSCREEN_ICON =
    '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="none" ' +
    'stroke="currentColor" stroke-width="2" stroke-linecap="round">' +
    '<path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5"/></svg>';

  function fullscreenButton(map) {
    if (!document.fullscreenEnabled) return;
    var b = button("sm-fullscreen", "Full screen");
    b.innerHTML = FULLSCREEN_ICON; /* a constant of storymap's */
    b.addEventListener("click", function () {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen();
    });
    document.addEventListener("fullscreenchange", function () {
      b.setAttribute("aria-label", document.fullscreenElement ? "Exit full screen" : "Full screen");
    });
    control("topright", b).addTo(map);
  }

  function isEmbedded() {
    try {
      return window.self !== window.top;
    } catch (e) {
      return true; /* a cross-origin parent */
    }
  }

  /* In an iframe, the wheel scrolls the host page until the reader clicks into the map. */
  function politeInFrame(map) {
    if (!isEmbedded()) return;
    document.body.classList.add("sm-embedded");
    map.scrollWheelZoom.disable();
    map.on("click focus", function () {
      map.scrollWheelZoom.enable();
    });
    map.getContainer().addEventListener("mouseleave", function () {
      map.scrollWheelZoom.disable();
    });
  }

  // --- the story app ------------------------------------------------------------------------

  function init(map, data) {
    data.modeList = data.modes;
    data.modes = {};
    data.modeList.forEach(function (mode) {
      data.modes[mode.name] = mode;
    });
    var chapters = data.chapters;
    var last = chapters.length - 1;
    var app = {
      map: map,
      data: data,
      current: TITLE_CARD,
      moving: false,
      playing: false,
      speed: 1,
      legs: {},
      stops: [],
    };


    // The panel: navigation, chapter list, the current card, and a live region.
    var mapNode = map.getContainer();
    mapNode.setAttribute("role", "region");
    mapNode.setAttribute("aria-label", "Map of the journey");
    var panel = el("main", "sm-panel");
    panel.id = "sm-panel";
    var nav = el("div", "sm-nav");
    nav.setAttribute("role", "group");
    nav.setAttribute("aria-label", "Story navigation");
    var prevButton = button("sm-prev", "Previous chapter", "‹");
    var progress = el("span", "sm-progress");
    var nextButton = button("sm-next", "Next chapter", "›");
    var playButton = button("sm-play", null, "▶ Play");
    playButton.setAttribute("aria-pressed", "false");
    var scrubber = el("input", "sm-scrubber");
    scrubber.type = "range";
    scrubber.min = "0";
    scrubber.max = String(SCRUB_STEPS);
    scrubber.value = "0";
    scrubber.setAttribute("aria-label", "Position in the journey");
    [prevButton, progress, nextButton, playButton, scrubber].forEach(function (n) {
      nav.appendChild(n);
    });
    var toc = el("details", "sm-toc");
    var tocSummary = el("summary", null, "All chapters");
    toc.appendChild(tocSummary);
    var view = el("div", "sm-view");
    view.tabIndex = -1;
    var live = el("p", "sm-live");
    live.setAttribute("aria-live", "polite");
    live.setAttribute("role", "status");
    panel.appendChild(nav);
    panel.appendChild(toc);
    panel.appendChild(view);
    panel.appendChild(live);
    mapNode.parentNode.insertBefore(panel, mapNode);
    document.body.classList.add("sm-has-panel");
    map.invalidateSize({ animate: false });

    /* The view first, then the base layers, then the story's layers: each marker is placed
     * once, and Leaflet measures the map before it holds a thousand of them. */
    var offlineFirst = false; /* the offline map, shown before the layers below exist */
    var framed = false;
    app.setOffline = function (on) {
      offlineFirst = on;
    };
    var start = fromHash();
    app.unknownLink = start === null; /* an address naming no chapter of this story */
    var opening = start === null ? TITLE_CARD : start;
    var showBase = baseLayers(map, data, app);
    if (data.modeList.length) control("bottomright", legend(data)).addTo(map);
    fullscreenButton(map);
    frame(viewOf(opening), false, opening);
    showBase();

    // Layers: a line and a mode badge per leg, a numbered marker per stop.
    chapters.forEach(function (chapter, i) {
      var leg = chapter.leg;
      if (leg) {
        var mode = data.modes[leg.mode];
        var line = L.polyline(leg.path, {
          color: mode.color,
          weight: 4,
          opacity: 0.9,
          dashArray: mode.dash,
          className: "sm-leg sm-leg-" + leg.mode,
        }).addTo(map);
        line.bindTooltip(el("span", null, mode.label + " · " + leg.distance), { sticky: true });
        line.bindPopup(function () {
          return chapterContent(data, chapter);
        }, { maxWidth: 340 });
        line.on("popupopen", function () {
          go(i, { camera: false, keepPopup: true });
        });
        var badgeMarker = L.layerGroup().addTo(map); /* none on a long expedition */
        var halfway = middle(map, leg.path);
        if (chapters.length <= MANY) {
          var badge = el("span", "sm-badge");
          badge.appendChild(icon(mode));
          badge.style.borderColor = mode.color;
          badgeMarker = L.marker(halfway.latlng, {
            icon: L.divIcon({ html: badge, className: "sm-badge-icon", iconSize: [24, 24] }),
            interactive: false,
            keyboard: false,
          }).addTo(map);
        }
        app.legs[i] = {
          line: line,
          badge: badgeMarker,
          path: leg.path,
          cum: cumulative(leg.path),
          middle: halfway.latlng,
          length0: halfway.length0,
        };
      }
      var number = el("span", "sm-stop", chapter.n);
      var label = "Stop " + chapter.n + ": " + chapter.place.name;
      var marker = L.marker([chapter.place.lat, chapter.place.lon], {
        icon: L.divIcon({ html: number, className: "sm-stop-icon", iconSize: [28, 28] }),
        title: label,
        alt: label,
        riseOnHover: true,
        zIndexOffset: 1000 + i,
      }).addTo(map);
      marker.bindPopup(function () {
        return chapterContent(data, chapter);
      }, { maxWidth: 340, autoPanPadding: [24, 24] });
      /* A click, or Enter on the focused marker, opens the popup and the chapter. */
      marker.on("popupopen", function () {
        go(i, { camera: false, keepPopup: true });
      });
      app.stops.push(marker);
    });
    politeInFrame(map);

    // --- what lies on the map: stops grouped when close, badges clear of them, labels that fit

    var groupLayer = L.layerGroup().addTo(map);
    var labelPane = map.createPane("sm-labels");
    labelPane.style.zIndex = 590; /* above the route, below the stops */
    var labelLayer = L.layerGroup();
    var townLayer = L.layerGroup();
    app.groups = [];

    function setHidden(marker, hidden) {
      var node = marker && marker.getElement && marker.getElement();
      if (node) node.style.visibility = hidden ? "hidden" : "";
    }

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
    function controlRects() {
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

    function stopRange(members) {
      var numbers = members.map(function (i) {
        return chapters[i].n;
      });
      var runs = [];
      numbers.forEach(function (n) {
        var run = runs[runs.length - 1];
        if (run && n === run[1] + 1) run[1] = n;
        else runs.push([n, n]);
      });
      return runs
        .map(function (run) {
          return run[0] === run[1] ? String(run[0]) : run[0] + "\u2013" + run[1];
        })
        .join(", ");
    }

    /* Stops closer than a marker's width are shown as one marker, "3–4", split as the reader
     * zooms in; a click on it zooms in until they part. */
    function regroup() {
      groupLayer.clearLayers();
      var zoom = map.getZoom();
      var points = chapters.map(function (chapter) {
        return map.project([chapter.place.lat, chapter.place.lon], zoom);
      });
      var cells = {};
      var groups = [];
      var groupOf = [];
      points.forEach(function (p, i) {
        var cx = Math.floor(p.x / STOP);
        var cy = Math.floor(p.y / STOP);
        var found = null;
        for (var dx = -1; dx <= 1 && found === null; dx++) {
          for (var dy = -1; dy <= 1 && found === null; dy++) {
            (cells[cx + dx + "," + (cy + dy)] || []).forEach(function (g) {
              if (found === null && points[groups[g][0]].distanceTo(p) < STOP) found = g;
            });
          }
        }
        if (found === null) {
          found = groups.length;
          groups.push([]);
          var key = cx + "," + cy;
          (cells[key] = cells[key] || []).push(found);
        }
        groups[found].push(i);
        groupOf[i] = found;
      });
      app.groups = groups.filter(function (members) {
        return members.length > 1;
      });
      app.groupOf = groupOf;
      chapters.forEach(function (chapter, i) {
        setHidden(app.stops[i], groups[groupOf[i]].length > 1);
      });
      app.groupMarkers = {};
      app.groups.forEach(function (members) {
        var head = chapters[members[0]].place;
        var text = stopRange(members);
        var names = members.map(function (i) {
          return chapters[i].place.name;
        });
        var title = "Stops " + text + ": " + names.join("; ");
        var badge = el("span", "sm-stop sm-stop-group", text);
        var current = members.indexOf(app.current) >= 0;
        var width = Math.max(STOP, 12 + 7 * text.length);
        var marker = L.marker([head.lat, head.lon], {
          icon: L.divIcon({
            html: badge,
            className: "sm-stop-icon" + (current ? " sm-stop-current" : ""),
            iconSize: [width, STOP],
          }),
          title: title,
          alt: title,
          zIndexOffset: current ? 5000 : 1000 + members[0],
        });
        marker.width = width;
        marker.on("click", split);
        marker.on("keypress", function (event) {
          if (event.originalEvent.keyCode === 13) split();
        });
        function split() {
          var apart = STOP;
          members.forEach(function (a) {
            members.forEach(function (b) {
              if (a < b) apart = Math.min(apart, Math.max(points[a].distanceTo(points[b]), 0.01));
            });
          });
          var zoom = Math.min(map.getMaxZoom(), map.getZoom() + Math.ceil(Math.log2((STOP + 4) / apart)));
          var box = L.latLngBounds(
            members.map(function (i) {
              return [chapters[i].place.lat, chapters[i].place.lon];
            })
          );
          map.setView(box.getCenter(), zoom, { animate: !prefersReducedMotion() });
        }
        members.forEach(function (i) {
          app.groupMarkers[i] = marker;
        });
        groupLayer.addLayer(marker);
      });
    }

    /* Where each stop is drawn now, one rectangle per visible marker. */
    function stopRects() {
      var out = [];
      chapters.forEach(function (chapter, i) {
        if (!app.groupMarkers[i]) out.push(around(map.latLngToContainerPoint(app.stops[i].getLatLng()), STOP * 1.2));
      });
      app.groups.forEach(function (members) {
        var marker = app.groupMarkers[members[0]];
        var p = map.latLngToContainerPoint(marker.getLatLng());
        out.push(rect(p.x - marker.width / 2, p.y - STOP / 2, marker.width, STOP));
      });
      return out;
    }

    /* A badge halfway along its leg, where the leg is long enough on screen to hold it clear of
     * every stop; none where it is not. */
    function placeBadges(stops) {
      var scale = Math.pow(2, map.getZoom());
      var out = [];
      Object.keys(app.legs).forEach(function (key) {
        var leg = app.legs[key];
        if (!leg.badge.getLatLng) return; /* a long expedition has none */
        var p = map.latLngToContainerPoint(leg.middle);
        var box = grown(around(p, BADGE), GAP);
        var clear =
          leg.length0 * scale >= 2 * (STOP / 2 + BADGE / 2 + GAP) &&
          !stops.some(function (r) {
            return hits(box, r);
          });
        setHidden(leg.badge, !clear);
        if (clear) out.push(around(p, BADGE));
      });
      return out;
    }

    // Place labels, one per place and position: a stop's label follows its copy of the world.
    var labels = [];
    var labelAt = {};
    (chapters.length <= MANY ? chapters : []).forEach(function (chapter, i) {
      var key = chapter.place.id + "@" + chapter.place.lat + "," + chapter.place.lon;
      if (labelAt[key]) {
        labelAt[key].chapters.push(i);
        return;
      }
      var text = el("span", "sm-label", chapter.place.name);
      var marker = L.marker([chapter.place.lat, chapter.place.lon], {
        icon: L.divIcon({ html: text, className: "sm-label-icon", iconSize: [0, 0], iconAnchor: [0, 0] }),
        interactive: false,
        keyboard: false,
        pane: "sm-labels",
      });
      labelAt[key] = { marker: marker, node: text, chapters: [i], size: null };
      labels.push(labelAt[key]);
      labelLayer.addLayer(marker);
    });

    /* Beside its point, on the first side where it fits: right, left, above, below. */
    function sides(p, w, h, offset) {
      return [
        rect(p.x + offset, p.y - h / 2, w, h),
        rect(p.x - offset - w, p.y - h / 2, w, h),
        rect(p.x - w / 2, p.y - offset - h, w, h),
        rect(p.x - w / 2, p.y + offset, w, h),
      ];
    }

    function fits(r, size, taken) {
      return (
        r.left >= 2 &&
        r.top >= 2 &&
        r.right <= size.x - 2 &&
        r.bottom <= size.y - 2 &&
        !taken.some(function (t) {
          return hits(r, t);
        })
      );
    }

    function overlap(r, size, taken) {
      var outside = Math.max(0, -r.left) + Math.max(0, -r.top) + Math.max(0, r.right - size.x) + Math.max(0, r.bottom - size.y);
      return taken.reduce(function (sum, t) {
        var w = Math.min(r.right, t.right) - Math.max(r.left, t.left);
        var h = Math.min(r.bottom, t.bottom) - Math.max(r.top, t.top);
        return sum + (w > 0 && h > 0 ? w * h : 0);
      }, outside * 1000);
    }

    function placeLabels(taken) {
      var size = map.getSize();
      var lead = {};
      app.groups.forEach(function (members) {
        var first = members.indexOf(app.current) >= 0 ? app.current : members[0];
        members.forEach(function (i) {
          lead[i] = first;
        });
      });
      var leg = app.current !== TITLE_CARD && chapters[app.current].leg ? app.current - 1 : null;
      var order = labels.slice().sort(function (a, b) {
        function rank(l) {
          if (l.chapters.indexOf(app.current) >= 0) return 0;
          if (leg !== null && l.chapters.indexOf(leg) >= 0) return 1;
          return 2;
        }
        return rank(a) - rank(b) || a.chapters[0] - b.chapters[0];
      });
      order.forEach(function (label) {
        var node = label.node;
        var shown = label.chapters.some(function (i) {
          return lead[i] === undefined || lead[i] === i;
        });
        if (!shown) {
          node.style.visibility = "hidden";
          return;
        }
        if (!label.size) label.size = [node.offsetWidth, node.offsetHeight];
        var i = label.chapters[0];
        var marker = app.groupMarkers[i] || app.stops[i];
        var p = map.latLngToContainerPoint(marker.getLatLng());
        var own = map.latLngToContainerPoint(label.marker.getLatLng());
        var w = label.size[0];
        var h = label.size[1];
        var offset = (app.groupMarkers[i] ? app.groupMarkers[i].width : STOP) / 2 + GAP;
        var options = sides(p, w, h, offset);
        var choice = options.filter(function (r) {
          return fits(r, size, taken);
        })[0];
        var mine = label.chapters.indexOf(app.current) >= 0 || (leg !== null && label.chapters.indexOf(leg) >= 0);
        if (!choice && mine) {
          /* nowhere clear: the side that covers least, moved inside the map */
          choice = options.slice().sort(function (a, b) {
            return overlap(a, size, taken) - overlap(b, size, taken);
          })[0];
          var dx = Math.max(2 - choice.left, Math.min(0, size.x - 2 - choice.right));
          var dy = Math.max(2 - choice.top, Math.min(0, size.y - 2 - choice.bottom));
          choice = rect(choice.left + dx, choice.top + dy, w, h);
        }
        if (!choice) {
          node.style.visibility = "hidden";
          return;
        }
        node.style.visibility = "";
        node.style.left = choice.left - own.x + "px";
        node.style.top = choice.top - own.y + "px";
        taken.push(grown(choice, GAP));
      });
    }

    // Towns: the most populous around the view, as many as fit clear of the story.
    var measure = document.createElement("canvas").getContext("2d");
    var storyNames = chapters.map(function (chapter) {
      return chapter.place.name.toLowerCase();
    });
    var towns = (data.basemap && data.basemap.towns) || [];

    function placeTowns(taken) {
      townLayer.clearLayers();
      var size = map.getSize();
      var most = Math.max(3, Math.round((size.x * size.y) / 45000));
      var view = map.getBounds();
      measure.font = "11px " + getComputedStyle(mapNode).fontFamily;
      var count = 0;
      for (var k = 0; k < towns.length && count < most; k++) {
        var town = towns[k];
        if (!view.contains([town[1], town[2]])) continue;
        var name = town[0];
        var lower = name.toLowerCase();
        if (
          storyNames.some(function (story) {
            return story.indexOf(lower) >= 0;
          })
        ) {
          continue;
        }
        var p = map.latLngToContainerPoint([town[1], town[2]]);
        var w = Math.ceil(measure.measureText(name).width) + 6;
        var dot = around(p, 6);
        var choice = sides(p, w, 14, 5).filter(function (r) {
          return fits(r, size, taken) && !taken.some(function (t) { return hits(dot, t); });
        })[0];
        if (!choice) continue;
        var node = el("span", "sm-town");
        node.appendChild(el("span", "sm-town-dot"));
        var text = el("span", "sm-town-name", name);
        text.style.left = choice.left - p.x + "px";
        text.style.top = choice.top - p.y + "px";
        node.appendChild(text);
        townLayer.addLayer(
          L.marker([town[1], town[2]], {
            icon: L.divIcon({ html: node, className: "sm-town-icon", iconSize: [0, 0], iconAnchor: [0, 0] }),
            interactive: false,
            keyboard: false,
            pane: "sm-labels",
          })
        );
        taken.push(grown(choice, 4), grown(dot, 2));
        count++;
      }
    }

    /* Small squares along the legs in view, so that no town is named across the route. */
    function legRects() {
      var out = [];
      var size = map.getSize();
      var view = map.getBounds();
      Object.keys(app.legs).forEach(function (key) {
        var leg = app.legs[key];
        if (!map.hasLayer(leg.line) || !view.intersects(leg.line.getBounds())) return;
        var last = null;
        leg.path.forEach(function (latlng) {
          var p = map.latLngToContainerPoint(latlng);
          if (last) {
            var n = Math.min(200, Math.ceil(last.distanceTo(p) / 8));
            for (var k = 1; k <= n; k++) {
              var q = last.add(p.subtract(last).multiplyBy(k / n));
              if (q.x > -8 && q.y > -8 && q.x < size.x + 8 && q.y < size.y + 8) out.push(around(q, 8));
            }
          }
          last = p;
        });
      });
      return out;
    }

    function layout() {
      regroup();
      var stops = stopRects();
      var badges = placeBadges(stops);
      if (!app.offline) return;
      var taken = controlRects().concat(stops, badges);
      placeLabels(taken);
      placeTowns(taken.concat(legRects()));
    }
    app.layout = layout;
    map.on("resize", function () {
      labels.forEach(function (label) {
        label.size = null; /* a label may wrap otherwise at another width */
      });
    });
    map.on("zoomend moveend resize", layout);
    document.addEventListener("storymap:chapter", layout);

    app.setOffline = function (on) {
      if (on === app.offline) return;
      app.offline = on;
      if (on) {
        labelLayer.addTo(map);
        townLayer.addTo(map);
      } else {
        map.removeLayer(labelLayer);
        map.removeLayer(townLayer);
      }
      if (framed && !app.playing) reframe();
    };
    if (offlineFirst) app.setOffline(true);

    // The chapter list is built when first opened: a long story costs nothing until then.
    toc.addEventListener("toggle", function () {
      if (!toc.open || toc.querySelector("ol")) return;
      var list = el("ol");
      chapters.forEach(function (chapter, i) {
        var item = el("li");
        var b = button("sm-toc-item", null, chapter.title);
        b.setAttribute("data-index", String(i));
        b.addEventListener("click", function () {
          toc.open = false;
          go(i);
          view.focus({ preventScroll: true });
        });
        item.appendChild(b);
        list.appendChild(item);
      });
      toc.appendChild(list);
    });

    // --- moving through the story ---

    map.on("movestart", function () {
      app.moving = true;
    });
    map.on("moveend", function () {
      app.moving = false;
    });

    function chapterBounds(i) {
      var leg = chapters[i].leg;
      var place = chapters[i].place;
      var bounds = L.latLngBounds([[place.lat, place.lon]]);
      if (leg) bounds.extend(L.latLngBounds(leg.path));
      return bounds;
    }

    function viewOf(i) {
      return i === TITLE_CARD ? L.latLngBounds(data.bounds) : chapterBounds(i);
    }

    /* The stops a view must keep in sight: the chapter's and its leg's start, or all. */
    function keptStops(i) {
      if (i === TITLE_CARD) {
        return chapters.length <= MANY
          ? chapters.map(function (chapter) {
              return [chapter.place.lat, chapter.place.lon];
            })
          : [];
      }
      var stops = [[chapters[i].place.lat, chapters[i].place.lon]];
      if (chapters[i].leg) stops.push(chapters[i].leg.path[0]);
      return stops;
    }

    /* Padding that frames `bounds` with the stops clear of the map's edge, its controls and
     * the legend: where one would sit under a control, that side is padded more. */
    function clearOfControls(bounds, maxZoom, stops) {
      var size = map.getSize();
      var controls = controlRects();
      var pad = { l: 40, t: 40, r: 40, b: 40 };
      for (var round = 0; round < 6; round++) {
        var tl = L.point(pad.l, pad.t);
        var br = L.point(pad.r, pad.b);
        var zoom = Math.min(maxZoom, map.getBoundsZoom(bounds, false, tl.add(br)));
        var nw = map.project(bounds.getNorthWest(), zoom);
        var se = map.project(bounds.getSouthEast(), zoom);
        var origin = nw.add(se).divideBy(2).add(br.subtract(tl).divideBy(2)).subtract(size.divideBy(2));
        var moved = false;
        stops.forEach(function (latlng) {
          var box = grown(around(map.project(latlng, zoom).subtract(origin), STOP), GAP);
          controls.forEach(function (c) {
            if (!hits(box, c)) return;
            var ways = [
              ["r", box.right - c.left, c.left > size.x / 2],
              ["l", c.right - box.left, c.right < size.x / 2],
              ["t", c.bottom - box.top, c.bottom < size.y / 2],
              ["b", box.bottom - c.top, c.top > size.y / 2],
            ]
              .filter(function (way) {
                return way[2];
              })
              .sort(function (a, b) {
                return a[1] - b[1];
              });
            if (!ways.length) return;
            pad[ways[0][0]] += 2 * ways[0][1] + 2;
            moved = true;
          });
        });
        if (!moved) break;
      }
      return { paddingTopLeft: [pad.l, pad.t], paddingBottomRight: [pad.r, pad.b] };
    }

    function reframe() {
      frame(viewOf(app.current), false, app.current);
    }

    /* While the offline map is shown, never closer than its data supports. */
    function frame(bounds, animate, i) {
      var offline = app.offline === undefined ? !data.tiles : app.offline; /* before it is shown */
      var maxZoom = offline && data.basemap ? Math.min(13, data.basemap.maxZoom) : 13;
      var options = L.extend({ maxZoom: maxZoom }, clearOfControls(bounds, maxZoom, keptStops(i)));
      var reduce = prefersReducedMotion();
      if (animate && !reduce) {
        map.flyToBounds(bounds, L.extend({ duration: app.playing ? 0.8 : 1.2 }, options));
      } else {
        map.fitBounds(bounds, L.extend({ animate: false }, options));
      }
    }

    /* The current leg and stop stand out and the rest of the route is dimmed by one class on
     * the map (see story.css): a chapter change touches two legs and two stops, not all. */
    var lit = null;
    function light(i, on) {
      var leg = app.legs[i];
      var path = leg && leg.line.getElement && leg.line.getElement();
      if (path) path.classList.toggle("sm-leg-current", on);
      if (leg && on) leg.line.bringToFront();
      var marker = app.stops[i];
      var node = marker && marker.getElement();
      if (node) node.classList.toggle("sm-stop-current", on);
      if (marker) marker.setZIndexOffset(on ? 5000 : 1000 + i);
    }

    function highlight() {
      var focus = app.current;
      mapNode.classList.toggle("sm-focused", focus !== TITLE_CARD);
      if (lit !== null && lit !== focus) light(lit, false);
      if (focus !== TITLE_CARD) light(focus, true);
      lit = focus === TITLE_CARD ? null : focus;
    }

    function setHash(i) {
      try {
        var base = location.href.split("#")[0];
        history.replaceState(history.state, "", i === TITLE_CARD ? base : base + "#" + chapters[i].id);
      } catch (e) {
        /* a sandboxed frame may refuse; the story still works */
      }
    }

    function fromHash() {
      var key = decodeURIComponent(location.hash.replace(/^#/, ""));
      if (!key) return TITLE_CARD;
      if (/^\d+$/.test(key)) {
        var n = Number(key);
        return n >= 1 && n <= chapters.length ? n - 1 : n === 0 ? TITLE_CARD : null;
      }
      for (var i = 0; i < chapters.length; i++) if (chapters[i].id === key) return i;
      return null;
    }

    function go(i, options) {
      options = options || {};
      i = Math.max(TITLE_CARD, Math.min(last, i));
      if (!options.fromPlayer) stopPlayback();
      var changed = i !== app.current;
      app.current = i;
      view.textContent = "";
      if (i === TITLE_CARD) {
        view.appendChild(titleCard(data, next));
        progress.textContent = "Start";
        live.textContent = "Introduction: " + data.title;
      } else {
        view.appendChild(chapterContent(data, chapters[i]));
        progress.textContent = i + 1 + " / " + chapters.length;
        live.textContent = "Chapter " + (i + 1) + " of " + chapters.length + ": " + chapters[i].title;
      }
      view.scrollTop = 0;
      panel.scrollTop = 0;
      prevButton.disabled = i === TITLE_CARD;
      nextButton.disabled = i === last;
      if (!options.keepPopup && !options.fromPlayer) map.closePopup();
      highlight();
      if (options.camera !== false) {
        frame(viewOf(i), options.animate !== false, i);
      }
      if (options.hash !== false) setHash(i);
      if (changed) emit("chapter", { index: i, id: i === TITLE_CARD ? null : chapters[i].id });
    }

    function next() {
      go(app.current + 1);
    }

    function prev() {
      go(app.current - 1);
    }

    prevButton.addEventListener("click", prev);
    nextButton.addEventListener("click", next);

    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      var target = event.target;
      var tag = target && target.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
      if (target && mapNode.contains(target)) return; /* arrows pan a focused map */
      var keys = {
        ArrowRight: next,
        ArrowLeft: prev,
        Home: function () {
          go(TITLE_CARD);
        },
        End: function () {
          go(last);
        },
      };
      if (keys[event.key]) {
        event.preventDefault();
        keys[event.key]();
      }
    });

    window.addEventListener("hashchange", function () {
      var i = fromHash();
      if (i !== null && i !== app.current) go(i, { hash: false });
    });

    // --- playback ---

    var plan = [];
    var elapsed = 0;
    chapters.forEach(function (chapter, i) {
      if (!chapter.leg) return;
      var seconds = legSeconds(chapter.leg.km);
      plan.push({ index: i, start: elapsed, seconds: seconds });
      elapsed += seconds;
    });
    var journeySeconds = elapsed;
    var player = { t: 0, active: null, raf: null, last: null, line: null, vehicle: null, engaged: false };
    app.plan = plan;

    function stepAt(t) {
      for (var k = 0; k < plan.length; k++) {
        if (t < plan[k].start + plan[k].seconds) return k;
      }
      return plan.length - 1;
    }

    function engage() {
      if (player.engaged) return;
      player.engaged = true;
      document.body.classList.add("sm-playing");
    }

    function disengage() {
      if (!player.engaged) return;
      player.engaged = false;
      player.active = null;
      if (player.line) map.removeLayer(player.line);
      if (player.vehicle) map.removeLayer(player.vehicle);
      player.line = player.vehicle = null;
      Object.keys(app.legs).forEach(function (key) {
        app.legs[key].line.addTo(map);
        app.legs[key].badge.addTo(map);
      });
      document.body.classList.remove("sm-playing");
      highlight();
      layout();
    }

    function drawAt(t) {
      if (!plan.length) return;
      engage();
      var k = stepAt(t);
      var step = plan[k];
      var f = Math.min(1, Math.max(0, (t - step.start) / step.seconds));
      var leg = app.legs[step.index];
      var mode = data.modes[chapters[step.index].leg.mode];
      var reduce = prefersReducedMotion();
      if (player.active !== k) {
        player.active = k;
        plan.forEach(function (other, j) {
          var layers = app.legs[other.index];
          if (j < k) {
            layers.line.addTo(map);
            layers.badge.addTo(map);
          } else {
            map.removeLayer(layers.line);
            map.removeLayer(layers.badge);
          }
        });
        if (player.line) map.removeLayer(player.line);
        if (player.vehicle) map.removeLayer(player.vehicle);
        player.line = L.polyline([], {
          color: mode.color,
          weight: 7,
          opacity: 1,
          dashArray: mode.dash,
          className: "sm-leg-progress sm-leg-progress-" + mode.name,
          interactive: false,
        }).addTo(map);
        var badge = el("span", "sm-badge sm-vehicle");
        badge.appendChild(icon(mode));
        badge.style.borderColor = mode.color;
        player.vehicle = L.marker(leg.path[0], {
          icon: L.divIcon({ html: badge, className: "sm-badge-icon", iconSize: [28, 28] }),
          interactive: false,
          keyboard: false,
          zIndexOffset: 9000,
        }).addTo(map);
        go(step.index, { fromPlayer: true, animate: player.last !== null && app.speed <= 4 });
        layout();
        emit("leg", { index: step.index, mode: mode.name });
      }
      var drawn = partial(leg.path, leg.cum, reduce ? 1 : f);
      player.line.setLatLngs(drawn);
      var head = drawn[drawn.length - 1];
      player.vehicle.setLatLng(head);
      if (!app.moving && !map.getBounds().pad(-0.1).contains(head)) map.panTo(head, { animate: false });
      scrubber.value = String(Math.round((t / journeySeconds) * SCRUB_STEPS));
      scrubber.setAttribute(
        "aria-valuetext",
        "Leg " + (k + 1) + " of " + plan.length + ", " + mode.label + ", " + Math.round(f * 100) + "%"
      );
    }

    function tick(now) {
      if (!app.playing) return;
      if (player.last !== null) player.t += ((now - player.last) / 1000) * app.speed;
      player.last = now;
      if (player.t >= journeySeconds) {
        player.t = journeySeconds;
        drawAt(journeySeconds);
        finish();
        return;
      }
      drawAt(player.t);
      player.raf = requestAnimationFrame(tick);
    }

    function setPlaying(on) {
      app.playing = on;
      playButton.textContent = on ? "❚❚ Pause" : "▶ Play";
      playButton.setAttribute("aria-pressed", on ? "true" : "false");
    }

    function play() {
      if (!plan.length || app.playing) return;
      if (!player.engaged || player.t >= journeySeconds) {
        var from = 0;
        plan.forEach(function (step) {
          if (step.index <= app.current) from = step.start;
        });
        player.t = app.current > 0 && app.current < last ? from : 0;
      }
      player.last = null;
      player.active = null;
      setPlaying(true);
      player.raf = requestAnimationFrame(tick);
    }

    function pause() {
      if (!app.playing) return;
      setPlaying(false);
      if (player.raf) cancelAnimationFrame(player.raf);
      player.raf = null;
    }

    function finish() {
      pause();
      disengage();
      go(last, { fromPlayer: true, camera: false });
      emit("playend", { index: last });
    }

    function stopPlayback() {
      pause();
      disengage();
    }

    function seek(fraction) {
      pause();
      player.t = Math.max(0, Math.min(1, fraction)) * journeySeconds;
      player.last = null;
      player.active = null;
      drawAt(player.t);
    }

    playButton.addEventListener("click", function () {
      if (app.playing) pause();
      else play();
    });
    scrubber.addEventListener("input", function () {
      seek(Number(scrubber.value) / SCRUB_STEPS);
    });
    if (!plan.length) {
      playButton.disabled = true;
      scrubber.disabled = true;
    }

    app.go = go;
    app.next = next;
    app.prev = prev;
    app.play = play;
    app.pause = pause;
    app.seek = seek;
    app.setSpeed = function (factor) {
      app.speed = factor > 0 ? factor : 1;
    };
    app.journeySeconds = journeySeconds;

    go(opening, { animate: false, hash: false, camera: false });
    framed = true;
    layout();
    window.storymap.app = app;
    emit("ready", { chapters: chapters.length });
    return app;
  }

  window.storymap = { init: init };
})();
