/* Public map: administrative areas by level, outlined over the base map (which labels
   them); a click shows the area's details.
   Data come from this portal's API only (no external tiles: the bureau's intranet is offline). */
"use strict";
(function () {
  var mapEl = document.getElementById("map");
  var setStatus = HegangMap.statusLine("map-status");
  // Outlines only: the base map under them tints and labels the areas (gis_portal/maps/
  // style.py) and must stay readable at street zoom. The fill is transparent but present,
  // so a click inside an area finds it.
  var LEVEL_STYLE = {
    city: new ol.style.Style({
      stroke: new ol.style.Stroke({color: "#9b1c1c", width: 3}),
      fill: new ol.style.Fill({color: "rgba(0,0,0,0)"}),
    }),
    county: new ol.style.Style({
      stroke: new ol.style.Stroke({color: "#2f5d8a", width: 1.5}),
      fill: new ol.style.Fill({color: "rgba(0,0,0,0)"}),
    }),
  };
  var layers = {};
  var loaded = {};

  function styleFor(level) { return LEVEL_STYLE[level]; }

  var map = HegangMap.createMap(mapEl, {minZoom: 6, maxZoom: 19});
  window.portalMap = map;  // for browser tests and the console

  // The counties are the shared backdrop, here clickable; the city outline over them.
  layers.county = HegangMap.countyBackdrop({style: styleFor("county"), zIndex: 1});
  map.addLayer(layers.county);
  function loadCity() {
    var source = new ol.source.Vector();
    layers.city = new ol.layer.Vector({source: source, style: styleFor("city"), zIndex: 2});
    layers.city.set("level", "city");
    map.addLayer(layers.city);
    return HegangMap.getJSON(HegangMap.AREAS_URL, {level: "city", has_geometry: "true"})
      .then(function (data) {
        source.addFeatures(HegangMap.geojson.readFeatures(data));
        return source.getFeatures().length;
      });
  }

  // The view the page opened with: once the areas arrive the map fits them, unless the
  // visitor has already moved or zoomed (their view is kept, not snapped back).
  var openedCentre = map.getView().getCenter().slice();
  var openedResolution = map.getView().getResolution();
  function viewUntouched() {
    var view = map.getView();
    var centre = view.getCenter();
    return view.getResolution() === openedResolution &&
      centre[0] === openedCentre[0] && centre[1] === openedCentre[1];
  }

  Promise.all([layers.county.loaded, loadCity()]).then(function (counts) {
    loaded.county = counts[0];
    loaded.city = counts[1];
    var extent = layers.city.getSource().getExtent();
    if (!ol.extent.isEmpty(extent) && viewUntouched()) {
      map.getView().fit(extent, {padding: [20, 20, 20, 20]});
    }
    setStatus("已加载：" + loaded.county + " 个县（区），" + loaded.city + " 个市");
    mapEl.dataset.loaded = JSON.stringify(loaded);
  }).catch(function (err) {
    setStatus("加载区划数据失败：" + err.message, true);
  });

  document.querySelectorAll("#level-switch input").forEach(function (input) {
    input.addEventListener("change", function () {
      if (layers[input.value]) { layers[input.value].setVisible(input.checked); }
    });
  });

  var details = document.getElementById("area-info-details");
  var empty = document.getElementById("area-info-empty");
  function showArea(props) {
    details.querySelectorAll("[data-field]").forEach(function (dd) {
      var v = props[dd.dataset.field];
      if (dd.dataset.field === "population") {
        v = v == null ? "无数据" : Number(v).toLocaleString("zh-CN") + " 人（" + props.census_year + " 年普查）";
      }
      dd.textContent = v == null || v === "" ? "—" : v;
    });
    details.hidden = false;
    empty.hidden = true;
    HegangLayout.reveal(document.getElementById("area-info"));  // phone/kiosk: below the map
  }

  map.on("singleclick", function (evt) {
    // The most detailed visible level wins: a county over the city.
    var hits = map.getFeaturesAtPixel(evt.pixel, {hitTolerance: 2, layerFilter: function (l) { return l.getVisible(); }});
    if (!hits.length) { return; }
    var rank = {village: 3, township: 2, county: 1, city: 0};
    hits.sort(function (a, b) { return rank[b.get("level")] - rank[a.get("level")]; });
    showArea(hits[0].getProperties());
  });
})();
