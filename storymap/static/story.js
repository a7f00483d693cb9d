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

  var BASEMAP_STYLE = {
    land: { stroke: false, fill: true, fillColor: "#f1eee4", fillOpacity: 1 },
    coast: { color: "#6f93ad", weight: 1, fill: false },
    border: { color: "#7d6b8f", weight: 1.3, dashArray: "5 3", fill: false },
  };

  /* Land, or lines: each in its own pane, so a layer holds one or the other. */
  function basemapLayer(collection, kinds, attribution) {
    return L.geoJSON(collection, {
      pane: kinds.indexOf("land") >= 0 ? "sm-land" : "sm-lines",
      interactive: false,
      attribution: attribution,
      filter: function (feature) {
        return kinds.indexOf(feature.properties.kind) >= 0;
      },
      style: function (feature) {
        return BASEMAP_STYLE[feature.properties.kind];
      },
    });
  }

  /* The offline basemap: coasts, borders and the story's places, from the page's own data.
   * Around a chapter much smaller than the journey, closer detail replaces the journey's
   * lines once the map is zoomed in enough to need it. */
  function offlineBasemap(map, data, app) {
    var bm = data.basemap;
    /* Panes keep the order whatever the order layers are added in: sea, land, lines. */
    map.createPane("sm-sea").style.zIndex = 240;
    map.createPane("sm-land").style.zIndex = 245;
    map.createPane("sm-lines").style.zIndex = 250;
    map.createPane("sm-labels").style.zIndex = 590; /* above the route, below the stops */
    var credit = "Offline map: Natural Earth";
    var journeyLines = basemapLayer(bm.journey, ["coast", "border"]);
    var box = bm.overview.bbox; /* [west, south, east, north]: sea where there is no land */
    var sea = L.rectangle(
      [
        [box[1], box[0]],
        [box[3], box[2]],
      ],
      { pane: "sm-sea", interactive: false, stroke: false, fillColor: "#d4e4ef", fillOpacity: 1 }
    );
    var group = L.layerGroup([
      sea,
      basemapLayer(bm.overview, ["land"], credit),
      basemapLayer(bm.journey, ["land"]),
      journeyLines,
    ]);
    var labels = [];
    var seen = {};
    /* A long expedition is labelled by its stops' own titles, not by hundreds of labels. */
    (data.chapters.length <= MANY ? data.chapters : []).forEach(function (chapter, i) {
      if (seen[chapter.place.id]) return;
      seen[chapter.place.id] = true;
      var text = el("span", "sm-label", chapter.place.name);
      var label = L.marker([chapter.place.lat, chapter.place.lon], {
        icon: L.divIcon({ html: text, className: "sm-label-icon", iconSize: null, iconAnchor: [-16, 9] }),
        interactive: false,
        keyboard: false,
        pane: "sm-labels",
      });
      label.chapter = i;
      labels.push(label);
      group.addLayer(label);
    });
    /* Hide a label that would cover one already shown; the current chapter's goes first. */
    function declutter() {
      if (!map.hasLayer(group)) return;
      var kept = [];
      var order = labels.slice().sort(function (a, b) {
        return (b.chapter === app.current) - (a.chapter === app.current) || a.chapter - b.chapter;
      });
      var nodes = order
        .map(function (label) {
          return label.getElement();
        })
        .filter(Boolean);
      nodes.forEach(function (node) {
        node.style.visibility = "";
      });
      var rects = nodes.map(function (node) {
        return node.getBoundingClientRect();
      });
      nodes.forEach(function (node, i) {
        var r = rects[i];
        var hit = kept.some(function (k) {
          return r.left < k.right && r.right > k.left && r.top < k.bottom && r.bottom > k.top;
        });
        if (hit) node.style.visibility = "hidden";
        else kept.push(r);
      });
    }
    map.on("zoomend moveend", declutter);
    document.addEventListener("storymap:chapter", declutter);
    var details = {};
    var shown = null;
    function update() {
      if (!map.hasLayer(group)) return;
      var key = String(app.current);
      var want = bm.details[key] && map.getZoom() >= bm.detailZoom ? key : null;
      if (want === shown) return;
      if (shown !== null) group.removeLayer(details[shown]);
      if (want !== null) {
        details[want] =
          details[want] ||
          L.layerGroup([basemapLayer(bm.details[want], ["land"]), basemapLayer(bm.details[want], ["coast", "border"])]);
        group.addLayer(details[want]);
        group.removeLayer(journeyLines);
      } else {
        group.addLayer(journeyLines);
      }
      shown = want;
    }
    map.on("zoomend", update);
    document.addEventListener("storymap:chapter", update);
    group.on("add", function () {
      map.getContainer().classList.add("sm-offline");
      shown = null;
      update();
      declutter();
    });
    group.on("remove", function () {
      map.getContainer().classList.remove("sm-offline");
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

  function baseLayers(map, data, app) {
    if (!data.tiles) {
      if (data.basemap) offlineBasemap(map, data, app).addTo(map);
      return;
    }
    var options = L.extend({ updateWhenZooming: false }, data.tiles.options);
    var tiles = L.tileLayer(data.tiles.url, options).addTo(map);
    if (!data.basemap) return;
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
    setTimeout(fallBack, 8000); /* tiles that never answer */
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
    var start = fromHash();
    app.unknownLink = start === null; /* an address naming no chapter of this story */
    if (start === null || start === TITLE_CARD) {
      map.fitBounds(data.bounds, { padding: [48, 48], maxZoom: 13, animate: false });
    }
    baseLayers(map, data, app);

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
        if (chapters.length <= MANY) {
          var badge = el("span", "sm-badge");
          badge.appendChild(icon(mode));
          badge.style.borderColor = mode.color;
          var mid = leg.path[Math.floor(leg.path.length / 2)];
          badgeMarker = L.marker(mid, {
            icon: L.divIcon({ html: badge, className: "sm-badge-icon", iconSize: [24, 24] }),
            interactive: false,
            keyboard: false,
          }).addTo(map);
        }
        app.legs[i] = { line: line, badge: badgeMarker, path: leg.path, cum: cumulative(leg.path) };
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
    if (data.modeList.length) control("bottomright", legend(data)).addTo(map);
    fullscreenButton(map);
    politeInFrame(map);

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
      var leg = app.legs[i];
      var place = chapters[i].place;
      var bounds = L.latLngBounds([[place.lat, place.lon]]);
      if (leg) bounds.extend(L.latLngBounds(leg.path));
      return bounds;
    }

    function frame(bounds, animate) {
      var options = { padding: [48, 48], maxZoom: 13 };
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
        frame(i === TITLE_CARD ? L.latLngBounds(data.bounds) : chapterBounds(i), options.animate !== false);
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

    var opening = start === null ? TITLE_CARD : start;
    go(opening, { animate: false, hash: false, camera: opening !== TITLE_CARD });
    window.storymap.app = app;
    emit("ready", { chapters: chapters.length });
    return app;
  }

  window.storymap = { init: init };
})();
