/* storymap.i18n: the page's words, numbers and units in the story's language.
 *
 * The page is handed the texts of its own language only (data.i18n: the story's `lang` tag, the
 * file it was read from, `dir`, `units` and `strings`, from storymap/i18n/<code>.json), and
 * every part takes its words from here:
 *
 *   storymap.i18n.t("live_chapter", { n: 3, count: 6, title: "Khasan" })
 *     → "Chapter 3 of 6: Khasan"
 *
 * A text's {placeholders} are filled from `vars`; a text with plural forms (an object keyed by
 * CLDR categories: one, few, many, other…) takes the form Intl.PluralRules gives for
 * vars.count (or vars.n). The page holds its own language's texts only, every key of en.json;
 * a part with words not yet in the translation files gives their English with
 * storymap.i18n.extend({ snake_case_key: "English text" }), used until the key is added to
 * en.json and to every other language file (storymap/i18n/).
 *
 * Numbers are formatted with Intl in the story's language, with Latin digits, as the HTML that
 * storymap writes has them: number(x, digits), percent(f), distance(km), speed(kmh),
 * date("2021-02-24").
 */
/* global Intl */
(function (storymap) {
  "use strict";

  /* English texts that parts give with extend(), for keys the translation files do not have yet;
   * the page's own language (data.i18n.strings) has every key of en.json. */
  var STRINGS = {};

  var MILE_KM = 1.609344;
  var state = { lang: "en", dir: "ltr", units: "metric", strings: {} };
  var formats = {};
  var plurals = null;

  function intl(make, fallback) {
    try {
      return make(state.lang);
    } catch (e) {
      return make(fallback || "en"); /* a tag this browser does not know */
    }
  }

  /* Take the language the page was built in: data.i18n, as storymap.init is handed it. */
  function use(data) {
    var i18n = (data && data.i18n) || {};
    state.lang = i18n.lang || "en";
    state.dir = i18n.dir || "ltr";
    state.units = i18n.units || "metric";
    state.strings = i18n.strings || {};
    formats = {};
    plurals = intl(function (lang) {
      return new Intl.PluralRules(lang);
    });
    api.lang = state.lang;
    api.dir = state.dir;
    api.units = state.units;
  }

  function extend(strings) {
    Object.keys(strings).forEach(function (key) {
      if (!(key in STRINGS)) STRINGS[key] = strings[key];
    });
    return strings;
  }

  function fill(text, vars) {
    return String(text).replace(/\{(\w+)\}/g, function (whole, name) {
      return vars && name in vars ? String(vars[name]) : whole;
    });
  }

  /* The text of `key` in the page's language, its placeholders filled from `vars`. */
  function t(key, vars) {
    var text = key in state.strings ? state.strings[key] : key in STRINGS ? STRINGS[key] : key;
    if (text && typeof text === "object") {
      var n = vars && (vars.count !== undefined ? vars.count : vars.n);
      var category = plurals ? plurals.select(Number(n) || 0) : "other";
      text = category in text ? text[category] : text.other;
    }
    return fill(text, vars);
  }

  function formatter(digits, style) {
    var key = (style || "decimal") + digits;
    if (!formats[key]) {
      formats[key] = intl(function (lang) {
        return new Intl.NumberFormat(lang, {
          numberingSystem: "latn",
          style: style || "decimal",
          minimumFractionDigits: digits,
          maximumFractionDigits: digits,
        });
      });
    }
    return formats[key];
  }

  function number(x, digits) {
    return formatter(digits || 0).format(x);
  }

  function percent(fraction) {
    return formatter(0, "percent").format(fraction);
  }

  /* A length in the story's units: '850 m', '4.2 km', '1,234 km'; '800 ft', '4.2 mi'. */
  function distance(km) {
    if (state.units === "imperial") {
      var miles = km / MILE_KM;
      if (miles < 0.1) return t("ft", { n: number(Math.round((miles * 5280) / 10) * 10) });
      return t("mi", { n: number(miles, miles < 10 ? 1 : 0) });
    }
    if (km < 1) return t("m", { n: number(Math.round((km * 1000) / 10) * 10) });
    return t("km", { n: number(km, km < 10 ? 1 : 0) });
  }

  function speed(kmh) {
    var value = state.units === "imperial" ? kmh / MILE_KM : kmh;
    return t(state.units === "imperial" ? "mph" : "kmh", { n: number(value, value >= 10 ? 0 : 1) });
  }

  /* A day ("2021-02-24") as the language writes it, the month in words. */
  function date(iso) {
    var parts = String(iso).split("-").map(Number);
    var day = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]));
    return intl(function (lang) {
      return new Intl.DateTimeFormat(lang, {
        numberingSystem: "latn",
        timeZone: "UTC",
        year: "numeric",
        month: "long",
        day: "numeric",
      });
    }).format(day);
  }

  /* Leaflet's own words (zoom buttons, the layer switcher, a popup's close button) and its scale
   * bar, in the page's language and units. */
  function localizeMap(map) {
    var node = map.getContainer();
    [
      [".leaflet-control-zoom-in", "zoom_in"],
      [".leaflet-control-zoom-out", "zoom_out"],
      [".leaflet-control-layers-toggle", "layers"],
    ].forEach(function (pair) {
      var button = node.querySelector(pair[0]);
      if (!button) return;
      button.title = t(pair[1]);
      button.setAttribute("aria-label", t(pair[1]));
    });
    map.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) close.setAttribute("aria-label", t("close_popup"));
    });
    var Scale = L.Control.Scale.extend({
      _updateScale: function (scale, text, ratio) {
        var match = /^([\d.]+) (\w+)$/.exec(text);
        scale.style.width = Math.round(this.options.maxWidth * ratio) + "px";
        scale.textContent = match ? t(match[2], { n: number(Number(match[1])) }) : text;
      },
    });
    var imperial = state.units === "imperial";
    new Scale({ metric: !imperial, imperial: imperial }).addTo(map);
  }

  var api = {
    STRINGS: STRINGS,
    lang: "en",
    dir: "ltr",
    units: "metric",
    use: use,
    extend: extend,
    t: t,
    number: number,
    percent: percent,
    distance: distance,
    speed: speed,
    date: date,
    localizeMap: localizeMap,
  };
  storymap.i18n = api;
})((window.storymap = window.storymap || {}));
