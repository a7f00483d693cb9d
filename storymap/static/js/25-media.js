/* storymap.media: video and sound in chapters — click-to-load players for YouTube and Vimeo.
 *
 * A YouTube or Vimeo video is in the page as <div class="sm-embed" data-player="…"> holding a
 * plain link to the video: without this script, that link is all there is. Here the link gives
 * way to a placeholder of our own (the caption and a play button): nothing is requested from
 * the video's site until the reader presses play, and then the player comes from the site's
 * privacy-enhanced host (youtube-nocookie.com, or Vimeo with dnt=1). Leaving the chapter stops
 * what plays in it: a player goes back to its placeholder, a <video> or <audio> pauses.
 */
(function (storymap) {
  "use strict";

  var page = storymap.page;
  /* The only addresses a player is loaded from (the page's data says which video). */
  var PLAYER = /^https:\/\/(www\.youtube-nocookie\.com\/embed\/[A-Za-z0-9_-]{11}\?|player\.vimeo\.com\/video\/[0-9]+\?dnt=1&)/;

  function say(key, title) {
    return storymap.i18n.t(key, { title: title });
  }

  /* The placeholder: the caption and a play button, in place of the plain link. */
  function placeholder(box) {
    var link = box.querySelector("a.sm-embed-link");
    var old = box.querySelector(".sm-embed-frame");
    if (old) box.removeChild(old);
    if (box.querySelector(".sm-embed-play")) return;
    var title = box.getAttribute("data-title") || "";
    var play = page.button("sm-embed-play", say("play_video", title));
    var mark = page.el("span", "sm-embed-mark", "▶");
    mark.setAttribute("aria-hidden", "true");
    play.appendChild(mark);
    play.appendChild(page.el("span", "sm-embed-caption", title));
    if (link) link.hidden = true;
    box.appendChild(play);
  }

  /* The player, on the reader's click. */
  function load(box) {
    var src = box.getAttribute("data-player") || "";
    if (!PLAYER.test(src)) return;
    var frame = document.createElement("iframe");
    frame.className = "sm-embed-frame";
    frame.title = say("video_title", box.getAttribute("data-title") || "");
    frame.setAttribute("allow", "autoplay; encrypted-media; picture-in-picture; fullscreen");
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    frame.setAttribute("loading", "lazy");
    frame.src = src;
    var play = box.querySelector(".sm-embed-play");
    if (play) box.removeChild(play);
    box.appendChild(frame);
    frame.focus();
  }

  /* Every player under root back to its placeholder; every <video>/<audio> paused. */
  function reset(root) {
    Array.prototype.forEach.call(root.querySelectorAll(".sm-embed"), placeholder);
    Array.prototype.forEach.call(root.querySelectorAll("video, audio"), function (player) {
      if (!player.paused) player.pause();
    });
  }

  function start() {
    reset(document);
    document.addEventListener("click", function (event) {
      var play = event.target.closest && event.target.closest(".sm-embed-play");
      if (play) load(play.closest(".sm-embed"));
    });
    /* A chapter left behind stops playing; the one shown is left as it is. */
    document.addEventListener("storymap:chapter", function () {
      Array.prototype.forEach.call(document.querySelectorAll(".sm-story > [hidden]"), reset);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  storymap.media = { reset: reset, load: load };
})((window.storymap = window.storymap || {}));
