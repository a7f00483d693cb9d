/* storymap.basemap: the base layers — tiles, and the offline map drawn from the page's own data.
 *
 * baseLayers(app) sets up the tiles, the offline map, or both with a control to switch and a
 * fallback to the offline map when tiles do not load; it returns the function that shows the
 * first base layer, once the view is set.
 */
(function (storymap) {
  "use strict";

  var page = storymap.page;

  var SEA = "#d4e4ef";
  var BASEMAP_STYLE = {
    sea: { stroke: false, fill: true, fillColor: SEA, fillOpacity: 1, className: "sm-bm-sea" },
    land: { stroke: false, fill: true, fillColor: "#f1eee4", fillOpacity: 1, className: "sm-bm-land" },
    lake: { stroke: false, fill: true, fillColor: SEA, fillOpacity: 1, className: "sm-bm-water sm-bm-lake" },
    shore: { color: "#7fa7c4", weight: 0.8, fill: false, className: "sm-bm-water sm-bm-shore" },
    river: { color: "#7fb0d3", weight: 1.6, fill: false, className: "sm-bm-water sm-bm-river" },
    coast: { color: "#6f93ad", weight: 1, fill: false, className: "sm-bm-lines sm-bm-coast" },
    border: { color: "#7d6b8f", weight: 1.3, dashArray: "5 3", fill: false, className: "sm-bm-lines sm-bm-border" },
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
   * once the view is set, so that it is drawn once. Tiles when they load; the offline basemap
   * when they do not, said in one quiet line. */
  function baseLayers(app) {
    var map = app.map;
    var data = app.data;
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
    layers[storymap.i18n.t("offline_map")] = offline;
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
      var notice = page.el("p", "sm-notice", storymap.i18n.t("tiles_failed"));
      notice.setAttribute("role", "status");
      page.control("bottomleft", notice).addTo(map);
      page.emit("fallback", { failed: failed });
    }
    tiles.on("load", function () {
      setTimeout(fallBack, 0); /* not while the tile layer is still in its own event */
    });
    return function () {
      tiles.addTo(map);
      setTimeout(fallBack, 8000); /* tiles that never answer */
    };
  }

  storymap.basemap = {
    unpack: unpack,
    levelLayer: levelLayer,
    offlineBasemap: offlineBasemap,
    baseLayers: baseLayers,
  };
})((window.storymap = window.storymap || {}));
