/* storymap.init: wires the parts together for one map and one story — storymap.init(map, data).
 *
 * It returns the app, also kept as storymap.app: the page's layout (pageLayout, "panel" or
 * "scroll"), the reader's place (current, moving, playing), what is drawn (map, data, legs,
 * stops, groups, groupMarkers, plan) and what moves it (go, next, prev, play, pause, seek,
 * setSpeed, layout, setOffline).
 */
(function (storymap) {
  "use strict";

  var page = storymap.page;

  function init(map, data) {
    var panel = storymap.panel;
    var navigation = storymap.navigation;
    var layers = storymap.layers;
    storymap.i18n.use(data);
    data.modeList = data.modes;
    data.modes = {};
    data.modeList.forEach(function (mode) {
      data.modes[mode.name] = mode;
    });
    var app = {
      map: map,
      data: data,
      current: page.TITLE_CARD,
      moving: false,
      playing: false,
      speed: 1,
      legs: {},
      stops: [],
      pageLayout: data.layout === "scroll" && storymap.scroll ? "scroll" : "panel",
    };
    var ui = panel.create(app);
    var scroll = app.pageLayout === "scroll" ? storymap.scroll : null;
    if (scroll) scroll.prepare(app, ui);

    /* The view first, then the base layers, then the story's layers: each marker is placed
     * once, and Leaflet measures the map before it holds a thousand of them. */
    var offlineFirst = false; /* the offline map, shown before the layers below exist */
    var framed = false;
    app.setOffline = function (on) {
      offlineFirst = on;
    };
    var start = navigation.fromHash(app);
    navigation.keepFragment(app);
    app.unknownLink = start === null; /* an address naming no chapter of this story */
    var opening = start === null ? page.TITLE_CARD : start;
    var showBase = storymap.basemap.baseLayers(app);
    panel.controls(app);
    storymap.i18n.localizeMap(map);
    navigation.frame(app, navigation.viewOf(app, opening), false, opening);
    showBase();
    layers.drawRoute(app);
    panel.politeInFrame(map);
    var arranged = layers.arrange(app);

    /* Labels and towns are drawn on the offline map only, which frames no closer than its data. */
    app.setOffline = function (on) {
      if (on === app.offline) return;
      app.offline = on;
      arranged.showLabels(on);
      if (framed && !app.playing) navigation.reframe(app);
    };
    if (offlineFirst) app.setOffline(true);

    var player = storymap.player.create(app, ui, arranged);
    var nav = navigation.create(app, ui, arranged, player);
    panel.chapterList(app, ui, nav.go);
    app.go = nav.go;
    app.next = nav.next;
    app.prev = nav.prev;
    app.play = player.play;
    app.pause = player.pause;
    app.seek = player.seek;
    app.setSpeed = player.setSpeed;
    app.journeySeconds = player.journeySeconds;
    if (scroll) scroll.follow(app, nav);

    nav.go(opening, { animate: false, hash: false, camera: false });
    framed = true;
    arranged.layout();
    storymap.app = app;
    page.emit("ready", { chapters: data.chapters.length });
    return app;
  }

  storymap.init = init;
})((window.storymap = window.storymap || {}));
