/* 界线管理 map: county outlines, boundary lines, markers coloured by their latest inspection,
   and (on the topology page) the problems found. All data from this portal's API; no tiles. */
"use strict";
(function () {
  var mapEl = document.getElementById("map");
  if (!mapEl) { return; }
  var setStatus = HegangMap.statusLine("map-status");
  var STATE_COLOUR = {intact: "#2e7d32", damaged: "#ef6c00", moved: "#ef6c00", missing: "#b00020"};
  var STATE_LABEL = {intact: "完好", damaged: "损坏", moved: "移位", missing: "丢失"};
  var loaded = {};

  var vectorLayer = HegangMap.featureLayer;

  // A paler outline than elsewhere: the boundary lines drawn over it are the subject here.
  var areaLayer = HegangMap.countyBackdrop({zIndex: 1, style: new ol.style.Style({
    stroke: new ol.style.Stroke({color: "#8aa1b8", width: 1}),
    fill: new ol.style.Fill({color: "rgba(120,160,200,0.12)"}),
  })});
  var lineLayer = vectorLayer("lines", function (feature, resolution) {
    return new ol.style.Style({
      stroke: new ol.style.Stroke({color: "#9b1c1c", width: 3}),
      text: resolution < 60 ? new ol.style.Text({
        text: feature.get("code"), placement: "line", font: "12px sans-serif",
        fill: new ol.style.Fill({color: "#5a0f0f"}), stroke: new ol.style.Stroke({color: "#fff", width: 3}),
      }) : undefined,
    });
  }, 2);
  var markerLayer = vectorLayer("markers", function (feature) {
    return new ol.style.Style({image: new ol.style.Circle({
      radius: 4, fill: new ol.style.Fill({color: STATE_COLOUR[feature.get("state")] || "#455a64"}),
      stroke: new ol.style.Stroke({color: "#fff", width: 1}),
    })});
  }, 3);
  var issueLayer = vectorLayer("issues", new ol.style.Style({
    stroke: new ol.style.Stroke({color: "#d500f9", width: 3}),
    fill: new ol.style.Fill({color: "rgba(213,0,249,0.25)"}),
    image: new ol.style.Circle({radius: 7, stroke: new ol.style.Stroke({color: "#d500f9", width: 3})}),
  }), 4);

  var map = HegangMap.createMap(mapEl, {minZoom: 6, maxZoom: 20, layers: [areaLayer, lineLayer, markerLayer, issueLayer]});
  window.boundaryMap = map;

  function load(layer, url) {
    return HegangMap.loadInto(layer, url).then(function (n) { loaded[layer.get("name")] = n; });
  }

  var jobs = [
    areaLayer.loaded.then(function (n) { loaded.areas = n; }),
    load(lineLayer, mapEl.dataset.linesUrl),
    load(markerLayer, mapEl.dataset.markersUrl),
  ];
  if (mapEl.dataset.topologyUrl) { jobs.push(load(issueLayer, mapEl.dataset.topologyUrl)); }
  Promise.all(jobs).then(function () {
    var extent = lineLayer.getSource().getExtent();
    if (ol.extent.isEmpty(extent)) { extent = areaLayer.getSource().getExtent(); }
    if (!ol.extent.isEmpty(extent)) { map.getView().fit(extent, {padding: [20, 20, 20, 20]}); }
    setStatus("已加载：" + (loaded.lines || 0) + " 条界线，" + (loaded.markers || 0) + " 个界桩" +
      (mapEl.dataset.topologyUrl ? "，" + (loaded.issues || 0) + " 处问题" : ""));
    mapEl.dataset.loaded = JSON.stringify(loaded);
  }).catch(function (err) {
    setStatus("加载界线数据失败：" + err.message, true);
  });

  var info = document.getElementById("marker-info");
  var empty = document.getElementById("marker-empty");
  var link = document.getElementById("marker-link");
  function fmt(v) { return v === null || v === undefined ? "—" : Number(v).toFixed(3); }
  map.on("singleclick", function (evt) {
    if (!info) { return; }
    var hit = map.forEachFeatureAtPixel(evt.pixel, function (f, layer) { return layer === markerLayer ? f : null; }, {hitTolerance: 4});
    if (!hit) { return; }
    var p = hit.getProperties();
    var values = {
      number: p.number, type_display: p.type_display, material: p.material || "—",
      original: p.original_crs + " " + fmt(p.original_x) + ", " + fmt(p.original_y),
      cgcs: p.cgcs_crs ? p.cgcs_crs + " " + fmt(p.cgcs_x_m) + ", " + fmt(p.cgcs_y_m) : "未转换",
      state: STATE_LABEL[p.state] || "未检查",
    };
    info.querySelectorAll("[data-field]").forEach(function (dd) { dd.textContent = values[dd.dataset.field]; });
    info.hidden = false;
    empty.hidden = true;
    link.href = mapEl.dataset.markerUrlPrefix + encodeURIComponent(p.number) + "/";
    link.hidden = false;
  });
})();
