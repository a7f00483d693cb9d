/* storymap.panel: the panel beside the map — title card, chapters, chapter list — and the map's controls.
 *
 * The story's text is the page's own HTML; create(app) makes its <main> the panel, adds the
 * navigation and the chapter list, and returns the nodes (`ui`) the navigation and the player
 * are handed; show(app, ui, i, begin) shows chapter i (or the title card) in it.
 */
(function (storymap) {
  "use strict";

  var page = storymap.page;
  var el = page.el;
  var button = page.button;
  var icon = page.icon;
  var t = storymap.i18n.t;

  // --- the story's own HTML ----------------------------------------------------------------

  /* The story as the page holds it: the title card (<header class="sm-card">) and one
   * <section class="sm-chapter"> per chapter, in story order, inside <article class="sm-story">.
   * Titles are read from it for the chapter list and the live region, and the title card gets
   * its Begin button. */
  function readStory(app) {
    var data = app.data;
    var article = document.querySelector(".sm-story");
    var card = article.querySelector(".sm-card");
    var sections = article.querySelectorAll("section.sm-chapter");
    data.title = card.querySelector("h1").textContent;
    data.chapters.forEach(function (chapter, i) {
      chapter.title = sections[i].querySelector("h2").textContent;
    });
    var begin = button("sm-begin", null, t("begin"));
    var after = card.querySelectorAll("h1, .sm-subtitle, .sm-byline, .sm-total");
    card.insertBefore(begin, after[after.length - 1].nextSibling);
    var parts = [card].concat(Array.prototype.slice.call(sections));
    parts.forEach(function (node) {
      node.tabIndex = -1;
    });
    return { article: article, card: card, parts: parts, beginButton: begin };
  }

  /* The mode's icon before a leg's summary, when the section is first shown: a long story
   * costs no icons until then. */
  function legIcon(app, i, node) {
    var leg = app.data.chapters[i].leg;
    var summary = node.querySelector(".sm-leg");
    if (leg && summary && !summary.querySelector(".sm-icon")) {
      summary.insertBefore(icon(app.data.modes[leg.mode]), summary.firstChild);
    }
  }

  /* Chapter i's section as a popup shows it: a copy, without the id its original holds. */
  function chapterContent(app, i) {
    legIcon(app, i, app.story.parts[i + 1]);
    var copy = app.story.parts[i + 1].cloneNode(true);
    copy.removeAttribute("id");
    copy.removeAttribute("hidden");
    copy.removeAttribute("tabindex");
    copy.classList.remove("sm-view");
    if (storymap.media) storymap.media.reset(copy); /* no second player in the popup */
    return copy;
  }

  // --- the panel -----------------------------------------------------------------------------

  /* The panel: the page's <main>, with navigation and the chapter list above the story and a
   * live region below; moved before the map, where it is read first. */
  function create(app) {
    var map = app.map;
    var mapNode = map.getContainer();
    mapNode.setAttribute("role", "region");
    mapNode.setAttribute("aria-label", t("map_label"));
    app.story = readStory(app);
    var panel = document.querySelector("main.sm-panel");
    var nav = el("div", "sm-nav");
    nav.setAttribute("role", "group");
    nav.setAttribute("aria-label", t("navigation"));
    var prevButton = button("sm-prev", t("previous"), "‹");
    var progress = el("span", "sm-progress");
    var nextButton = button("sm-next", t("next"), "›");
    var playButton = button("sm-play", null, t("play"));
    playButton.setAttribute("aria-pressed", "false");
    var scrubber = el("input", "sm-scrubber");
    scrubber.type = "range";
    scrubber.min = "0";
    scrubber.max = String(page.SCRUB_STEPS);
    scrubber.value = "0";
    scrubber.setAttribute("aria-label", t("scrubber"));
    [prevButton, progress, nextButton, playButton, scrubber].forEach(function (n) {
      nav.appendChild(n);
    });
    var toc = el("details", "sm-toc");
    toc.appendChild(el("summary", null, t("all_chapters")));
    var live = el("p", "sm-live");
    live.setAttribute("aria-live", "polite");
    live.setAttribute("role", "status");
    panel.insertBefore(toc, app.story.article);
    panel.insertBefore(nav, toc);
    panel.appendChild(live);
    mapNode.parentNode.insertBefore(panel, mapNode);
    document.body.classList.add("sm-has-panel");
    map.invalidateSize({ animate: false });
    return {
      panel: panel,
      prevButton: prevButton,
      progress: progress,
      nextButton: nextButton,
      playButton: playButton,
      scrubber: scrubber,
      toc: toc,
      view: app.story.card,
      beginButton: app.story.beginButton,
      live: live,
    };
  }

  /* Chapter i, or the title card with `begin` on its button, in the panel: the part shown
   * carries the class sm-view; the others are hidden (in the scroll layout, every part stays
   * in the article). */
  function show(app, ui, i, begin) {
    var data = app.data;
    var chapters = data.chapters;
    var parts = app.story.parts;
    var all = app.pageLayout === "scroll";
    ui.view = parts[i + 1];
    parts.forEach(function (node) {
      var shown = node === ui.view;
      node.hidden = !shown && !all;
      node.classList.toggle("sm-view", shown);
    });
    ui.beginButton.onclick = begin;
    if (i === page.TITLE_CARD) {
      ui.progress.textContent = t("progress_start");
      ui.live.textContent = t("live_intro", { title: data.title });
    } else {
      legIcon(app, i, ui.view);
      var n = storymap.i18n.number(i + 1);
      var count = storymap.i18n.number(chapters.length);
      ui.progress.textContent = t("progress", { n: n, count: count });
      ui.live.textContent = t("live_chapter", { n: n, count: count, title: chapters[i].title });
    }
    if (!all) ui.panel.scrollTop = 0;
    ui.prevButton.disabled = i === page.TITLE_CARD;
    ui.nextButton.disabled = i === chapters.length - 1;
  }

  /* The chapter list is built when first opened: a long story costs nothing until then. */
  function chapterList(app, ui, go) {
    var toc = ui.toc;
    toc.addEventListener("toggle", function () {
      if (!toc.open || toc.querySelector("ol")) return;
      var list = el("ol");
      app.data.chapters.forEach(function (chapter, i) {
        var item = el("li");
        var b = button("sm-toc-item", null, chapter.title);
        b.setAttribute("data-index", String(i));
        b.addEventListener("click", function () {
          toc.open = false;
          go(i);
          ui.view.focus({ preventScroll: true });
        });
        item.appendChild(b);
        list.appendChild(item);
      });
      toc.appendChild(list);
    });
  }

  // --- the map's controls --------------------------------------------------------------------

  function legend(data) {
    var box = el("div", "sm-legend");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", t("legend"));
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

  var FULLSCREEN_ICON =
    '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="none" ' +
    'stroke="currentColor" stroke-width="2" stroke-linecap="round">' +
    '<path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5"/></svg>';

  function fullscreenButton(map) {
    if (!document.fullscreenEnabled) return;
    var b = button("sm-fullscreen", t("fullscreen"));
    b.innerHTML = FULLSCREEN_ICON; /* a constant of storymap's */
    b.addEventListener("click", function () {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen();
    });
    document.addEventListener("fullscreenchange", function () {
      b.setAttribute("aria-label", t(document.fullscreenElement ? "exit_fullscreen" : "fullscreen"));
    });
    page.control("topright", b).addTo(map);
  }

  /* The legend, when the story has modes, and the full-screen button. */
  function controls(app) {
    if (app.data.modeList.length) page.control("bottomright", legend(app.data)).addTo(app.map);
    fullscreenButton(app.map);
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

  storymap.panel = {
    legIcon: legIcon,
    chapterContent: chapterContent,
    create: create,
    show: show,
    chapterList: chapterList,
    legend: legend,
    controls: controls,
    politeInFrame: politeInFrame,
  };
})((window.storymap = window.storymap || {}));
