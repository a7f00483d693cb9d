/* storymap.player: plays the journey leg by leg, a vehicle drawing each leg as it goes.
 *
 * create(app, ui, layers) plans the playback (app.plan: each leg's start and seconds at speed 1)
 * and returns play(), pause(), seek(fraction), stop(), setSpeed(factor) and journeySeconds; it
 * drives the panel's play button and scrubber, and moves through the story with app.go.
 */
(function (storymap) {
  "use strict";

  var page = storymap.page;
  var SCRUB_STEPS = page.SCRUB_STEPS;

  function create(app, ui, layers) {
    var map = app.map;
    var data = app.data;
    var chapters = data.chapters;
    var last = chapters.length - 1;
    var playButton = ui.playButton;
    var scrubber = ui.scrubber;

    var plan = [];
    var elapsed = 0;
    chapters.forEach(function (chapter, i) {
      if (!chapter.leg) return;
      var seconds = page.legSeconds(chapter.leg.km);
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
      layers.highlight();
      layers.layout();
    }

    function drawAt(t) {
      if (!plan.length) return;
      engage();
      var k = stepAt(t);
      var step = plan[k];
      var f = Math.min(1, Math.max(0, (t - step.start) / step.seconds));
      var leg = app.legs[step.index];
      var mode = data.modes[chapters[step.index].leg.mode];
      var reduce = page.prefersReducedMotion();
      if (player.active !== k) {
        player.active = k;
        plan.forEach(function (other, j) {
          var legLayers = app.legs[other.index];
          if (j < k) {
            legLayers.line.addTo(map);
            legLayers.badge.addTo(map);
          } else {
            map.removeLayer(legLayers.line);
            map.removeLayer(legLayers.badge);
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
        var badge = page.el("span", "sm-badge sm-vehicle");
        badge.appendChild(page.icon(mode));
        badge.style.borderColor = mode.color;
        player.vehicle = L.marker(leg.path[0], {
          icon: L.divIcon({ html: badge, className: "sm-badge-icon", iconSize: [28, 28] }),
          interactive: false,
          keyboard: false,
          zIndexOffset: 9000,
        }).addTo(map);
        app.go(step.index, { fromPlayer: true, animate: player.last !== null && app.speed <= 4 });
        layers.layout();
        page.emit("leg", { index: step.index, mode: mode.name });
      }
      var drawn = page.partial(leg.path, leg.cum, reduce ? 1 : f);
      player.line.setLatLngs(drawn);
      var head = drawn[drawn.length - 1];
      player.vehicle.setLatLng(head);
      if (!app.moving && !map.getBounds().pad(-0.1).contains(head)) map.panTo(head, { animate: false });
      scrubber.value = String(Math.round((t / journeySeconds) * SCRUB_STEPS));
      scrubber.setAttribute(
        "aria-valuetext",
        storymap.i18n.t("scrubber_value", {
          n: storymap.i18n.number(k + 1),
          count: storymap.i18n.number(plan.length),
          mode: mode.label,
          percent: storymap.i18n.percent(Math.round(f * 100) / 100),
        })
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
      playButton.textContent = storymap.i18n.t(on ? "pause" : "play");
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
      app.go(last, { fromPlayer: true, camera: false });
      page.emit("playend", { index: last });
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

    function setSpeed(factor) {
      app.speed = factor > 0 ? factor : 1;
    }

    return {
      play: play,
      pause: pause,
      seek: seek,
      stop: stopPlayback,
      setSpeed: setSpeed,
      journeySeconds: journeySeconds,
    };
  }

  storymap.player = { create: create };
})((window.storymap = window.storymap || {}));
