/* 乡级区域 map: township polygons (demo ones hatched and labelled), county outlines, all
   boundary lines and the topology problems across city, counties and townships. */
"use strict";
(function () {
  var mapEl = document.getElementById("map");
  if (!mapEl) { return; }
  var setStatus = HegangMap.statusLine("map-status");
  var loaded = {};

  var canvas = document.createElement("canvas");
  canvas.width = canvas.height = 8;
  var ctx = canvas.getContext("2d");
  ctx.strokeStyle = "#d9a441"; ctx.lineWidth = 2;
  ctx.beginPath(); ctx.moveTo(0, 8); ctx.lineTo(8, 0); ctx.stroke();
  var hatch = ctx.createPattern(canvas, "repeat");

  var vectorLayer = HegangMap.featureLayer;
  var townshipLayer = vectorLayer("townships", function (feature, resolution) {
    var demo = feature.get("geom_is_demo");
    return new ol.style.Style({
      stroke: new ol.style.Stroke({color: demo ? "#b7862b" : "#5b7a99", width: 1}),
      fill: new ol.style.Fill({color: demo ? hatch : "rgba(143,168,191,0.25)"}),
      text: resolution < 120 ? new ol.style.Text({
        text: feature.get("name") + (demo ? "（演示）" : ""), font: "12px sans-serif",
        fill: new ol.style.Fill({color: "#333"}), stroke: new ol.style.Stroke({color: "#fff", width: 3}),
      }) : undefined,
    });
  }, 1);
  var countyLayer = HegangMap.countyBackdrop({zIndex: 2, style: new ol.style.Style({
    stroke: new ol.style.Stroke({color: "#2f5d8a", width: 2}),
  })});
  var lineLayer = vectorLayer("lines", new ol.style.Style({
    stroke: new ol.style.Stroke({color: "#9b1c1c", width: 2}),
  }), 3);
  var issueLayer = vectorLayer("issues", new ol.style.Style({
    stroke: new ol.style.Stroke({color: "#d500f9", width: 3}),
    fill: new ol.style.Fill({color: "rgba(213,0,249,0.25)"}),
    image: new ol.style.Circle({radius: 7, stroke: new ol.style.Stroke({color: "#d500f9", width: 3})}),
  }), 4);
  var map = HegangMap.createMap(mapEl, {minZoom: 6, maxZoom: 18, layers: [townshipLayer, countyLayer, lineLayer, issueLayer]});

  function load(layer, url) {
    return HegangMap.loadInto(layer, url).then(function (n) { loaded[layer.get("name")] = n; });
  }
  Promise.all([
    load(townshipLayer, mapEl.dataset.townshipsUrl),
    countyLayer.loaded,
    load(lineLayer, mapEl.dataset.linesUrl),
    load(issueLayer, mapEl.dataset.topologyUrl),
  ]).then(function () {
    var extent = townshipLayer.getSource().getExtent();
    if (ol.extent.isEmpty(extent)) { extent = countyLayer.getSource().getExtent(); }
    if (!ol.extent.isEmpty(extent)) { map.getView().fit(extent, {padding: [20, 20, 20, 20]}); }
    setStatus("已加载：" + (loaded.townships || 0) + " 个乡级区域，" + (loaded.lines || 0) + " 条界线，" +
      (loaded.issues || 0) + " 处问题");
    mapEl.dataset.loaded = JSON.stringify(loaded);
  }).catch(function (err) {
    setStatus("加载数据失败：" + err.message, true);
  });
})();
