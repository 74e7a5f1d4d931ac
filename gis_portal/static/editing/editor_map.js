/* Officers' map editor, part 1 of 5: configuration, the layers and their styles, the map.

   The editor is select → modify (snapping; coincident vertices of lines and markers move
   together) → attributes → save all changed features in one request, each with the version
   it was edited on (If-Match semantics; a stale one opens the conflict dialog). Its parts
   share window.editor and are loaded in this order by editing/editor.html:
     editor_map.js      configuration, layers, the map (on the shared HegangMap kernel)
     editor_modify.js   editing state, undo/redo, select/modify/snap, vertex delete, split, draw
     editor_form.js     attribute form, pending requests, save with If-Match, conflict dialog
     editor_history.js  the history panel and its diff
     editor.js          start: which layer is edited, the first load
   No inline script: configuration comes from data- attributes and the portal's own API. */
"use strict";
(function () {
  var mapEl = document.getElementById("map");
  var API = mapEl.dataset.api;
  var COUNTY = mapEl.dataset.county;
  var form = document.getElementById("attr-form");
  var geojson = HegangMap.geojson;
  var LAYER_URL = {"boundary-lines": API + "boundaries/lines", "boundary-markers": API + "boundaries/markers",
    "placenames": API + "editing/placenames?county=" + COUNTY};
  // Streets, signs, door plates and facilities of the county (fields: layers_addresses.js).
  ["streets", "street-signs", "door-plates", "facilities"].forEach(function (key) {
    LAYER_URL[key] = API + "editing/" + key + "?county=" + COUNTY;
  });
  // One feature (GET with ETag): boundaries have their own API, the other layers /editing/.
  function featureUrl(key, id) {
    return (key.indexOf("boundary-") === 0 ? LAYER_URL[key] : API + "editing/" + key) + "/" + id;
  }
  function etagOf(key, id, version) { return '"' + key + "-" + id + "-v" + version + '"'; }

  // --- layers -----------------------------------------------------------------------
  // One look per layer: the map's symbol and the legend swatch in the layer picker are
  // drawn from it. A feature is labelled with its "label" (name, number, sign text) from
  // the layer's minimum zoom on; labels are decluttered, the higher priority kept.
  var LOOK = {
    "boundary-lines": {symbol: "line", colour: "#9b1c1c", width: 3, labelZoom: 13},
    "boundary-markers": {symbol: "circle", colour: "#ffd24d", outline: "#5a3d00", radius: 6, labelZoom: 15},
    "placenames": {symbol: "area", colour: "#6a3d9a", fill: "rgba(106,61,154,0.15)", radius: 5, labelZoom: 14},
    "streets": {symbol: "line", colour: "#c06000", width: 4, labelZoom: 15, alongLine: true},
    "street-signs": {symbol: "circle", colour: "#1f78b4", outline: "#fff", radius: 6, labelZoom: 18},
    "door-plates": {symbol: "circle", colour: "#33a02c", outline: "#fff", radius: 4, labelZoom: 18},
    "facilities": {symbol: "square", colour: "#e31a1c", outline: "#fff", radius: 8, labelZoom: 15},
  };
  var DEFAULT_LOOK = {symbol: "circle", colour: "#555", outline: "#fff", radius: 5, labelZoom: 16};
  function lookOf(key) { return LOOK[key] || DEFAULT_LOOK; }
  function baseStyle(look) {
    var image = look.symbol === "square"
      // Only labels give way to each other: every feature stays drawn and editable.
      ? new ol.style.RegularShape({points: 4, radius: look.radius, angle: Math.PI / 4, declutterMode: "none",
        fill: new ol.style.Fill({color: look.colour}), stroke: new ol.style.Stroke({color: look.outline, width: 1.5})})
      : new ol.style.Circle({radius: look.radius || 5, declutterMode: "none", fill: new ol.style.Fill({color: look.colour}),
        stroke: new ol.style.Stroke({color: look.outline || "#fff", width: look.symbol === "area" ? 1 : 1.5})});
    return {
      stroke: new ol.style.Stroke({color: look.colour, width: look.width || 2}),
      fill: look.fill ? new ol.style.Fill({color: look.fill}) : undefined,
      image: image,
    };
  }
  function labelOf(f) {
    var v = f.get("label") || f.get("name") || f.get("code") || f.get("number");
    return v == null ? "" : String(v);
  }
  function styleFor(key) {
    var look = lookOf(key);
    var base = new ol.style.Style(baseStyle(look));
    var cache = {};
    var labelResolution = null;
    return function (feature, resolution) {
      if (labelResolution === null) { labelResolution = map.getView().getResolutionForZoom(look.labelZoom); }
      var text = resolution <= labelResolution ? labelOf(feature) : "";
      if (!text) { return base; }
      if (!cache[text]) {
        var o = baseStyle(look);
        o.text = new ol.style.Text({
          text: text, font: "13px sans-serif", overflow: !look.alongLine,
          placement: look.alongLine ? "line" : "point", offsetY: look.alongLine ? 0 : -14,
          fill: new ol.style.Fill({color: "#1d2733"}), stroke: new ol.style.Stroke({color: "#fff", width: 3}),
        });
        cache[text] = new ol.style.Style(o);
      }
      return cache[text];
    };
  }
  // The legend: each layer's swatch in the layer picker, in the layer's own colour and shape.
  document.querySelectorAll(".ed-swatch[data-layer]").forEach(function (el) {
    var look = lookOf(el.dataset.layer);
    el.classList.add("ed-swatch-" + look.symbol);
    el.style.setProperty("--swatch", look.colour);
    el.style.setProperty("--swatch-fill", look.fill || look.colour);
  });

  var counties = HegangMap.countyBackdrop();
  var map = HegangMap.createMap(mapEl, {maxZoom: 22, layers: [counties]});
  var sources = {}, layers = {};
  Object.keys(LAYER_URL).forEach(function (key) {
    sources[key] = new ol.source.Vector();
    layers[key] = new ol.layer.Vector({source: sources[key], style: styleFor(key), declutter: true,
      zIndex: key === "boundary-markers" ? 3 : 2});
    layers[key].set("name", key);
    map.addLayer(layers[key]);
  });
  // The old and new geometry of the history entry being shown (editor_history.js).
  var historySource = new ol.source.Vector();
  map.addLayer(new ol.layer.Vector({source: historySource, zIndex: 4, style: function (f) {
    var before = f.get("which") === "before";
    return new ol.style.Style({
      stroke: new ol.style.Stroke({color: before ? "#777" : "#1a7f37", width: 2, lineDash: before ? [6, 4] : undefined}),
      image: new ol.style.Circle({radius: 7, stroke: new ol.style.Stroke({color: before ? "#777" : "#1a7f37", width: 2})}),
    });
  }}));

  // Load (or reload) one layer: its features carry their layer key and ETag.
  function loadLayer(key) {
    return HegangMap.request(LAYER_URL[key]).then(function (res) {
      if (!res.ok) { throw new Error(res.error); }
      var feats = geojson.readFeatures(res.body);
      feats.forEach(function (f) { f.set("layer", key); f.set("etag", etagOf(key, f.getId(), f.get("version"))); });
      sources[key].clear();
      sources[key].addFeatures(feats);
      return feats.length;
    });
  }

  // The shared editor: the next parts add their functions; browser tests and
  // layers_addresses.js use map, sources, select, modify, dirty(), selected(), undo().
  var ed = window.editor = {
    API: API,
    mapEl: mapEl,
    form: form,
    geojson: geojson,
    LAYER_URL: LAYER_URL,
    featureUrl: featureUrl,
    map: map,
    counties: counties,
    sources: sources,
    layers: layers,
    historySource: historySource,
    loadLayer: loadLayer,
    request: HegangMap.request,
    setStatus: HegangMap.statusLine("editor-status"),
    // Mutable editing state: dirty is "layer:id" → feature; undo/redo hold geometry snapshots.
    state: {dirty: {}, undo: [], redo: [], selected: null},
    dirty: function () { return ed.state.dirty; },
    selected: function () { return ed.state.selected; },
  };
})();
