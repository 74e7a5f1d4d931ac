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
  var styles = {
    "boundary-lines": new ol.style.Style({stroke: new ol.style.Stroke({color: "#9b1c1c", width: 3})}),
    "boundary-markers": new ol.style.Style({image: new ol.style.Circle({
      radius: 6, fill: new ol.style.Fill({color: "#ffd24d"}), stroke: new ol.style.Stroke({color: "#5a3d00", width: 2}),
    })}),
    "placenames": new ol.style.Style({
      stroke: new ol.style.Stroke({color: "#6a3d9a", width: 2}), fill: new ol.style.Fill({color: "rgba(106,61,154,0.15)"}),
      image: new ol.style.Circle({radius: 5, fill: new ol.style.Fill({color: "#6a3d9a"}), stroke: new ol.style.Stroke({color: "#fff", width: 1})}),
    }),
  };
  function pointStyle(fill, stroke, radius) {
    return new ol.style.Style({image: new ol.style.Circle({radius: radius, fill: new ol.style.Fill({color: fill}), stroke: new ol.style.Stroke({color: stroke, width: 1.5})})});
  }
  styles["streets"] = new ol.style.Style({stroke: new ol.style.Stroke({color: "#c06000", width: 4})});
  styles["street-signs"] = pointStyle("#1f78b4", "#fff", 6);
  styles["door-plates"] = pointStyle("#33a02c", "#fff", 4);
  styles["facilities"] = new ol.style.Style({image: new ol.style.RegularShape({points: 4, radius: 8, angle: Math.PI / 4,
    fill: new ol.style.Fill({color: "#e31a1c"}), stroke: new ol.style.Stroke({color: "#fff", width: 1.5})})});

  var counties = HegangMap.countyBackdrop();
  var map = HegangMap.createMap(mapEl, {maxZoom: 22, layers: [counties]});
  var sources = {}, layers = {};
  Object.keys(LAYER_URL).forEach(function (key) {
    sources[key] = new ol.source.Vector();
    layers[key] = new ol.layer.Vector({source: sources[key], style: styles[key], zIndex: key === "boundary-markers" ? 3 : 2});
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
