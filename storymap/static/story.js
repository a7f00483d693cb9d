/* storymap: draws a story handed over as one JSON object on a Leaflet map.
 *
 * Text from the story is inserted with textContent; the only HTML inserted is
 * the narrative Markdown, which the builder has already sanitized, and the mode
 * icons, which ship with storymap.
 */
(function () {
  "use strict";

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

  function icon(mode, className) {
    var span = el("span", className || "sm-icon");
    span.setAttribute("aria-hidden", "true");
    span.innerHTML = mode.icon; /* a file of storymap's, not story text */
    span.style.color = mode.color;
    return span;
  }

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

  function chapterContent(data, chapter) {
    var article = el("article", "sm-chapter");
    article.setAttribute("data-chapter", chapter.id);
    article.appendChild(
      el("p", "sm-kicker", "Stop " + chapter.n + " of " + data.chapters.length + " · " + chapter.place.name)
    );
    article.appendChild(el("h2", "sm-title", chapter.title));
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

  function titleBlock(data) {
    var header = el("header", "sm-titleblock");
    header.appendChild(el("h1", null, data.title));
    if (data.subtitle) header.appendChild(el("p", "sm-subtitle", data.subtitle));
    var meta = [data.byline, data.date].filter(Boolean).join(" · ");
    if (meta) header.appendChild(el("p", "sm-byline", meta));
    if (data.total) {
      header.appendChild(
        el("p", "sm-total", data.chapters.length + " stops · " + data.total + " in all")
      );
    }
    if (data.sources.length) {
      var details = el("details", "sm-sources");
      details.appendChild(el("summary", null, "Sources"));
      var list = el("ul");
      data.sources.forEach(function (source) {
        var item = el("li");
        item.appendChild(source.url ? link(source.url, source.title) : el("span", null, source.title));
        list.appendChild(item);
      });
      details.appendChild(list);
      header.appendChild(details);
    }
    return header;
  }

  function legend(data) {
    var box = el("div", "sm-legend");
    box.appendChild(el("h2", null, "Legend"));
    var list = el("ul");
    data.modeList.forEach(function (mode) {
      var item = el("li");
      var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.setAttribute("width", "36");
      svg.setAttribute("height", "10");
      svg.setAttribute("aria-hidden", "true");
      var line = document.createElementNS("http://www.w3.org/2000/svg", "line");
      line.setAttribute("x1", "2");
      line.setAttribute("y1", "5");
      line.setAttribute("x2", "34");
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

  function midpoint(path) {
    return path[Math.floor(path.length / 2)];
  }

  function init(map, data) {
    var layers = { legs: [], stops: [] };
    data.modeList = data.modes;
    data.modes = {};
    data.modeList.forEach(function (mode) {
      data.modes[mode.name] = mode;
    });
    data.chapters.forEach(function (chapter, i) {
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
        layers.legs.push(line);
        var badge = el("span", "sm-badge");
        badge.appendChild(icon(mode, "sm-icon"));
        badge.style.borderColor = mode.color;
        L.marker(midpoint(leg.path), {
          icon: L.divIcon({ html: badge, className: "sm-badge-icon", iconSize: [24, 24] }),
          interactive: false,
          keyboard: false,
        }).addTo(map);
      }
      var number = el("span", "sm-stop", chapter.n);
      var marker = L.marker([chapter.place.lat, chapter.place.lon], {
        icon: L.divIcon({ html: number, className: "sm-stop-icon", iconSize: [28, 28] }),
        title: "Stop " + chapter.n + ": " + chapter.place.name,
        alt: "Stop " + chapter.n + ": " + chapter.place.name,
        riseOnHover: true,
        zIndexOffset: 1000 + i,
      }).addTo(map);
      marker.bindPopup(function () {
        return chapterContent(data, chapter);
      }, { maxWidth: 340, autoPanPadding: [24, 24] });
      layers.stops.push(marker);
    });
    control("topleft", titleBlock(data)).addTo(map);
    if (data.modeList.length) control("bottomright", legend(data)).addTo(map);
    map.fitBounds(data.bounds, { padding: [24, 24] });
    map.storymap = layers;
    return layers;
  }

  window.storymap = { init: init };
})();
