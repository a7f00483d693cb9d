/* storymap.panel: the panel beside the map — title card, chapters, chapter list — and the map's controls.
 *
 * create(app) builds the panel and returns its nodes (`ui`), which the navigation and the player
 * are handed; show(app, ui, i, begin) puts chapter i (or the title card) in it.
 */
(function (storymap) {
  "use strict";

  var page = storymap.page;
  var el = page.el;
  var button = page.button;
  var icon = page.icon;

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
      figure.appendChild(page.link(item.href, "Image: " + (item.alt || item.href)));
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
      item.appendChild(source.url ? page.link(source.url, source.title) : el("span", null, source.title));
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

  // --- the panel -----------------------------------------------------------------------------

  /* The panel: navigation, chapter list, the current card, and a live region. */
  function create(app) {
    var map = app.map;
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
    scrubber.max = String(page.SCRUB_STEPS);
    scrubber.value = "0";
    scrubber.setAttribute("aria-label", "Position in the journey");
    [prevButton, progress, nextButton, playButton, scrubber].forEach(function (n) {
      nav.appendChild(n);
    });
    var toc = el("details", "sm-toc");
    toc.appendChild(el("summary", null, "All chapters"));
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
    return {
      panel: panel,
      prevButton: prevButton,
      progress: progress,
      nextButton: nextButton,
      playButton: playButton,
      scrubber: scrubber,
      toc: toc,
      view: view,
      live: live,
    };
  }

  /* Chapter i, or the title card with `begin` on its button, in the panel. */
  function show(app, ui, i, begin) {
    var data = app.data;
    var chapters = data.chapters;
    ui.view.textContent = "";
    if (i === page.TITLE_CARD) {
      ui.view.appendChild(titleCard(data, begin));
      ui.progress.textContent = "Start";
      ui.live.textContent = "Introduction: " + data.title;
    } else {
      ui.view.appendChild(chapterContent(data, chapters[i]));
      ui.progress.textContent = i + 1 + " / " + chapters.length;
      ui.live.textContent = "Chapter " + (i + 1) + " of " + chapters.length + ": " + chapters[i].title;
    }
    ui.view.scrollTop = 0;
    ui.panel.scrollTop = 0;
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
    chapterContent: chapterContent,
    titleCard: titleCard,
    create: create,
    show: show,
    chapterList: chapterList,
    legend: legend,
    controls: controls,
    politeInFrame: politeInFrame,
  };
})((window.storymap = window.storymap || {}));
