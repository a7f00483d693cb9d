/* storymap.layers: the story's layers on the map — legs, mode badges, stops — and their layout.
 *
 * drawRoute(app) draws a line and a mode badge per leg and a numbered marker per stop, into
 * app.legs and app.stops. arrange(app) lays them out as the view changes: stops grouped when
 * close, badges clear of them, and on the offline map place labels and towns that fit; it
 * returns layout(), showLabels(on) and highlight(), which lights the current leg and stop.
 */
(function (storymap) {
  "use strict";

  var page = storymap.page;
  var TITLE_CARD = page.TITLE_CARD;
  var MANY = page.MANY;
  var STOP = page.STOP;
  var BADGE = page.BADGE;
  var GAP = page.GAP;
  var el = page.el;
  var icon = page.icon;
  var rect = page.rect;
  var around = page.around;
  var hits = page.hits;
  var grown = page.grown;

  /* A line and a mode badge per leg, a numbered marker per stop; a click on one opens its
   * chapter. */
  function drawRoute(app) {
    var map = app.map;
    var data = app.data;
    var chapters = data.chapters;
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
          return storymap.panel.chapterContent(app, i);
        }, { maxWidth: 340 });
        line.on("popupopen", function () {
          app.go(i, { camera: false, keepPopup: true });
        });
        var badgeMarker = L.layerGroup().addTo(map); /* none on a long expedition */
        var halfway = page.middle(map, leg.path);
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
          cum: page.cumulative(leg.path),
          middle: halfway.latlng,
          length0: halfway.length0,
        };
      }
      var number = el("span", "sm-stop", chapter.n);
      var label = storymap.i18n.t("stop_title", { n: storymap.i18n.number(chapter.n), place: chapter.place.name });
      var marker = L.marker([chapter.place.lat, chapter.place.lon], {
        icon: L.divIcon({ html: number, className: "sm-stop-icon", iconSize: [28, 28] }),
        title: label,
        alt: label,
        riseOnHover: true,
        zIndexOffset: 1000 + i,
      }).addTo(map);
      marker.bindPopup(function () {
        return storymap.panel.chapterContent(app, i);
      }, { maxWidth: 340, autoPanPadding: [24, 24] });
      /* A click, or Enter on the focused marker, opens the popup and the chapter. */
      marker.on("popupopen", function () {
        app.go(i, { camera: false, keepPopup: true });
      });
      app.stops.push(marker);
    });
  }

  /* What lies on the map: stops grouped when close, badges clear of them, labels that fit. */
  function arrange(app) {
    var map = app.map;
    var data = app.data;
    var chapters = data.chapters;
    var mapNode = map.getContainer();
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
        var title = storymap.i18n.t("stops_title", { range: text, places: names.join(storymap.i18n.t("list_separator")) });
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
          var closer = Math.min(map.getMaxZoom(), map.getZoom() + Math.ceil(Math.log2((STOP + 4) / apart)));
          var box = L.latLngBounds(
            members.map(function (i) {
              return [chapters[i].place.lat, chapters[i].place.lon];
            })
          );
          map.setView(box.getCenter(), closer, { animate: !page.prefersReducedMotion() });
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
      var leg = app.current !== TITLE_CARD && chapters[app.current].leg ? app.current - 1 : null;
      /* A group is labelled by the current chapter's stop, else the current leg's start. */
      var lead = {};
      app.groups.forEach(function (members) {
        var first = members[0];
        if (members.indexOf(app.current) >= 0) first = app.current;
        else if (leg !== null && members.indexOf(leg) >= 0) first = leg;
        members.forEach(function (i) {
          lead[i] = first;
        });
      });
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
      var taken = page.controlRects(mapNode).concat(stops, badges);
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

    function showLabels(on) {
      if (on) {
        labelLayer.addTo(map);
        townLayer.addTo(map);
      } else {
        map.removeLayer(labelLayer);
        map.removeLayer(townLayer);
      }
    }

    return { layout: layout, showLabels: showLabels, highlight: highlight };
  }

  storymap.layers = { drawRoute: drawRoute, arrange: arrange };
})((window.storymap = window.storymap || {}));
