/* storymap.navigation: where the reader is — framing a chapter, go/next/prev, the keyboard, the address.
 *
 * frame(app, bounds, animate, i) and viewOf(app, i) set the map's view; fromHash(app) reads the
 * chapter the address names. create(app, ui, layers, player) returns go(i, options), next() and
 * prev(), and listens to the panel's buttons, the keyboard and the address.
 */
(function (storymap) {
  "use strict";

  var page = storymap.page;
  var TITLE_CARD = page.TITLE_CARD;
  var STOP = page.STOP;
  var GAP = page.GAP;

  // --- framing ---------------------------------------------------------------------------------

  function chapterBounds(app, i) {
    var chapter = app.data.chapters[i];
    var bounds = L.latLngBounds([[chapter.place.lat, chapter.place.lon]]);
    if (chapter.leg) bounds.extend(L.latLngBounds(chapter.leg.path));
    return bounds;
  }

  function viewOf(app, i) {
    return i === TITLE_CARD ? L.latLngBounds(app.data.bounds) : chapterBounds(app, i);
  }

  /* The stops a view must keep in sight: the chapter's and its leg's start, or all. */
  function keptStops(app, i) {
    var chapters = app.data.chapters;
    if (i === TITLE_CARD) {
      return chapters.length <= page.MANY
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
  function clearOfControls(map, bounds, maxZoom, stops, inset) {
    var size = map.getSize();
    var controls = page.controlRects(map.getContainer());
    inset = inset || { l: 0, t: 0, r: 0, b: 0 };
    var pad = { l: 40 + inset.l, t: 40 + inset.t, r: 40 + inset.r, b: 40 + inset.b };
    for (var round = 0; round < 6; round++) {
      var tl = L.point(pad.l, pad.t);
      var br = L.point(pad.r, pad.b);
      var zoom = Math.min(maxZoom, map.getBoundsZoom(bounds, false, tl.add(br)));
      var nw = map.project(bounds.getNorthWest(), zoom);
      var se = map.project(bounds.getSouthEast(), zoom);
      var origin = nw.add(se).divideBy(2).add(br.subtract(tl).divideBy(2)).subtract(size.divideBy(2));
      var moved = false;
      stops.forEach(function (latlng) {
        var box = page.grown(page.around(map.project(latlng, zoom).subtract(origin), STOP), GAP);
        controls.forEach(function (c) {
          if (!page.hits(box, c)) return;
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

  /* While the offline map is shown, never closer than its data supports. A layout that covers
   * part of the map (app.inset(): pixels on each side) has the chapter framed in the rest. */
  function frame(app, bounds, animate, i) {
    if (storymap.locator) storymap.locator.show(app, i); /* a control the stops keep clear of */
    var map = app.map;
    var data = app.data;
    var offline = app.offline === undefined ? !data.tiles : app.offline; /* before it is shown */
    var maxZoom = offline && data.basemap ? Math.min(13, data.basemap.maxZoom) : 13;
    var inset = app.inset ? app.inset() : null;
    var options = L.extend({ maxZoom: maxZoom }, clearOfControls(map, bounds, maxZoom, keptStops(app, i), inset));
    var reduce = page.prefersReducedMotion();
    if (animate && !reduce) {
      map.flyToBounds(bounds, L.extend({ duration: app.playing ? 0.8 : 1.2 }, options));
    } else {
      map.fitBounds(bounds, L.extend({ animate: false }, options));
    }
  }

  function reframe(app) {
    frame(app, viewOf(app, app.current), false, app.current);
  }

  // --- the address ---------------------------------------------------------------------------

  function setHash(app, i) {
    try {
      var base = location.href.split("#")[0];
      var id = i === TITLE_CARD ? "" : "#" + encodeURIComponent(app.data.chapters[i].id);
      history.replaceState(history.state, "", base + id);
    } catch (e) {
      /* a sandboxed frame may refuse; the story still works */
    }
  }

  /* The text an address's fragment holds: the browser gives #хасан percent-encoded; a
   * malformed one (#%) is taken as it is. Ids compare in one Unicode form (NFC), so an é typed
   * as one character or as e and an accent is the same. */
  /* Once the page is parsed, the browser scrolls to the element its address's fragment names:
   * the panel past the chapter's heading, the article past the reading line, and in a frame the
   * host page along. The script shows the chapter itself, in either layout, so the fragment is
   * set aside until the page is parsed, then put back. */
  function keepFragment(app) {
    var wanted = location.hash;
    if (!wanted || document.readyState !== "loading") return;
    var base = location.href.split("#")[0];
    var opening = fromHash(app);
    if (opening === null) opening = page.TITLE_CARD;
    try {
      history.replaceState(history.state, "", base);
    } catch (e) {
      return; /* a sandboxed frame may refuse */
    }
    document.addEventListener("DOMContentLoaded", function () {
      setTimeout(function () {
        if (!location.hash && app.current === opening) history.replaceState(history.state, "", base + wanted);
      }, 0);
    });
  }

  function fragment(hash) {
    var raw = hash.replace(/^#/, "");
    var text;
    try {
      text = decodeURIComponent(raw);
    } catch (e) {
      text = raw;
    }
    return nfc(text);
  }

  function nfc(text) {
    return text.normalize ? text.normalize("NFC") : text;
  }

  /* The chapter the address names: #3 or #chapter-id; the title card for none; null for a
   * name that is no chapter of this story. */
  function fromHash(app) {
    var chapters = app.data.chapters;
    var key = fragment(location.hash);
    if (!key) return TITLE_CARD;
    if (/^\d+$/.test(key)) {
      var n = Number(key);
      return n >= 1 && n <= chapters.length ? n - 1 : n === 0 ? TITLE_CARD : null;
    }
    for (var i = 0; i < chapters.length; i++) if (nfc(chapters[i].id) === key) return i;
    return null;
  }

  // --- moving through the story --------------------------------------------------------------

  function create(app, ui, layers, player) {
    var map = app.map;
    var chapters = app.data.chapters;
    var last = chapters.length - 1;
    var mapNode = map.getContainer();

    map.on("movestart", function () {
      app.moving = true;
    });
    map.on("moveend", function () {
      app.moving = false;
    });

    function go(i, options) {
      options = options || {};
      i = Math.max(TITLE_CARD, Math.min(last, i));
      if (!options.fromPlayer) player.stop();
      var changed = i !== app.current;
      app.current = i;
      storymap.panel.show(app, ui, i, begin);
      if (!options.keepPopup && !options.fromPlayer) map.closePopup();
      layers.highlight();
      /* A layout that shows every part brings this one into view (not when it is the one
       * that asked, with reveal: false). */
      if (app.reveal && options.reveal !== false) app.reveal(i, options);
      if (options.camera !== false) {
        frame(app, viewOf(app, i), options.animate !== false, i);
      }
      if (options.hash !== false) setHash(app, i);
      if (changed) page.emit("chapter", { index: i, id: i === TITLE_CARD ? null : chapters[i].id });
    }

    function next() {
      go(app.current + 1);
    }

    /* The title card's button: the first chapter (in the scroll layout it can be pressed from
     * any chapter). */
    function begin() {
      go(0);
    }

    function prev() {
      go(app.current - 1);
    }

    ui.prevButton.addEventListener("click", prev);
    ui.nextButton.addEventListener("click", next);

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
      var i = fromHash(app);
      if (i !== null && i !== app.current) go(i, { hash: false });
    });

    return { go: go, next: next, prev: prev };
  }

  storymap.navigation = {
    keepFragment: keepFragment,
    viewOf: viewOf,
    frame: frame,
    reframe: reframe,
    fromHash: fromHash,
    create: create,
  };
})((window.storymap = window.storymap || {}));
