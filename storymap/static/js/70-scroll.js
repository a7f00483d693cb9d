/* storymap.scroll: the scroll layout (`layout: scroll`) — the story as an article beside the map.
 *
 * Every part of the story (the title card and each chapter) stays in the article, and the
 * document itself scrolls it, in a page and in an iframe alike; the map is fixed beside it (on
 * a phone, under it, seen between the chapters' cards). A part that crosses the middle of the
 * window becomes the current chapter through the navigation's own go(), so the map flies to it
 * and highlights it as in the panel layout.
 *
 * prepare(app, ui) lays the page out and gives the navigation app.reveal(i, options) (scroll
 * part i into view; the buttons, the keyboard, the chapter list, the address and playback all
 * move through go(), which calls it) and app.inset() (the part of the map the article covers,
 * for framing). follow(app, nav) watches the middle of the window with an IntersectionObserver
 * whose root is this document, so that its band is this window's middle also inside an
 * iframe. While the script scrolls, what passes the middle is not followed.
 */
(function (storymap) {
  "use strict";

  var page = storymap.page;
  var BAND = "-45% 0px -50% 0px"; /* the middle of the window: from 45% to 50% of its height */
  var NEAR = "100% 0px"; /* a window's height above and below: sections soon to be read */
  var NARROW = "(max-width: 699px)"; /* as story.css: the map under the article */
  var SCROLL_IDLE_MS = 150; /* no scroll event for this long: the script's scrolling is over */
  var SCROLL_LONGEST_MS = 1500;

  function observer(callback, margin) {
    try {
      return new IntersectionObserver(callback, { root: document, rootMargin: margin });
    } catch (e) {
      return new IntersectionObserver(callback, { rootMargin: margin }); /* no document root */
    }
  }

  /* Where a part begins when it is read: its scroll-margin-top (story.css), in pixels from the
   * top of the window. */
  function readingLine(node) {
    return parseFloat(getComputedStyle(node).scrollMarginTop) || 0;
  }

  function prepare(app, ui) {
    var root = document.documentElement;
    var map = app.map;
    var bar = ui.prevButton.parentNode;
    var parts = app.story.parts;
    root.classList.add("sm-scroll");
    bar.appendChild(ui.toc); /* the chapter list stays within reach, in the bar */

    function measure() {
      root.style.setProperty("--sm-bar", bar.offsetHeight + "px");
      map.invalidateSize({ animate: false });
    }
    measure();
    if (window.ResizeObserver) new ResizeObserver(measure).observe(bar);

    /* On a phone the map lies under the article: a swipe scrolls the story, not the map. */
    var narrow = window.matchMedia ? window.matchMedia(NARROW) : null;
    function swipeScrolls() {
      if (narrow && narrow.matches) map.dragging.disable();
      else map.dragging.enable();
    }
    swipeScrolls();
    if (narrow && narrow.addEventListener) narrow.addEventListener("change", swipeScrolls);

    app.inset = function () {
      var box = map.getContainer().getBoundingClientRect();
      var article = app.story.article.getBoundingClientRect();
      if (article.left >= box.right - 1 || article.right <= box.left + 1) return null; /* beside */
      var covered = box.bottom - readingLine(parts[parts.length - 1]);
      return { l: 0, t: 0, r: 0, b: Math.max(0, Math.min(box.height - 120, covered)) };
    };

    /* While the script scrolls, what passes the middle is not followed; when it stops (its
     * scrollend, or no scroll event for a moment), the part in the middle is. */
    var scripted = { on: false, timer: null, settle: null };
    app.scroller = scripted;
    function end() {
      if (!scripted.on) return;
      scripted.on = false;
      clearTimeout(scripted.timer);
      if (scripted.settle) scripted.settle();
    }
    window.addEventListener(
      "scroll",
      function () {
        if (!scripted.on) return;
        clearTimeout(scripted.timer);
        scripted.timer = setTimeout(end, SCROLL_IDLE_MS);
      },
      { passive: true }
    );
    document.addEventListener("scrollend", end);

    app.reveal = function (i, options) {
      var node = parts[i + 1];
      var top = i === page.TITLE_CARD ? 0 : window.scrollY + node.getBoundingClientRect().top - readingLine(node);
      top = Math.max(0, Math.min(top, root.scrollHeight - window.innerHeight));
      if (Math.abs(top - window.scrollY) < 1) return;
      var smooth = options.animate !== false && !page.prefersReducedMotion();
      scripted.on = true;
      clearTimeout(scripted.timer);
      scripted.timer = setTimeout(end, SCROLL_LONGEST_MS);
      /* window.scrollTo scrolls this document only; scrollIntoView would scroll a host page too */
      window.scrollTo({ top: top, behavior: smooth ? "smooth" : "auto" });
    };
  }

  /* Does `node` cross the middle band of the window now? */
  function atMiddle(node) {
    var r = node.getBoundingClientRect();
    var h = window.innerHeight;
    return r.top < h * 0.5 && r.bottom > h * 0.45;
  }

  function follow(app, nav) {
    var parts = app.story.parts;
    var scripted = app.scroller;
    var inside = []; /* the parts the observer saw enter the middle band, in that order */

    function indexOf(node) {
      return parts.indexOf(node) - 1;
    }

    /* The part in the middle becomes the current chapter (the one that entered last, if two
     * are there at once); a reader who scrolls during playback takes over from it. */
    scripted.settle = function () {
      if (scripted.on) return;
      var there = inside.filter(function (k) {
        return atMiddle(parts[k + 1]);
      });
      if (!there.length || there.indexOf(app.current) >= 0) return;
      nav.go(there[there.length - 1], { reveal: false });
    };

    var band = observer(function (entries) {
      entries.forEach(function (entry) {
        var k = indexOf(entry.target);
        var at = inside.indexOf(k);
        if (at >= 0) inside.splice(at, 1);
        if (entry.isIntersecting) inside.push(k);
      });
      scripted.settle();
    }, BAND);

    /* A leg's icon is added as its section comes near: a long story costs none until then. */
    var near = observer(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        var k = indexOf(entry.target);
        if (k >= 0) storymap.panel.legIcon(app, k, entry.target);
        near.unobserve(entry.target);
      });
    }, NEAR);

    parts.forEach(function (node) {
      band.observe(node);
      near.observe(node);
    });
  }

  storymap.scroll = { prepare: prepare, follow: follow };
})((window.storymap = window.storymap || {}));
