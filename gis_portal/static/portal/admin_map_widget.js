/* Start Django's MapWidget for every offline geometry field, with the shared county
   backdrop (served by this portal) instead of internet tiles, on the portal's one
   configured start view (the data-map-view attribute of the widget's element). */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-offline-map-widget]").forEach(function (el) {
    var view = HegangMap.config(el);
    // A lighter fill than on the pages: the edited geometry is drawn over it.
    var backdrop = HegangMap.countyBackdrop({style: new ol.style.Style({
      stroke: new ol.style.Stroke({color: "#7a8ca3", width: 1}),
      fill: new ol.style.Fill({color: "rgba(230,236,243,0.6)"}),
    })});
    backdrop.loaded.catch(function (err) { console.warn("区县底图加载失败：" + err.message); });
    var widget = new MapWidget({
      base_layer: backdrop,
      geom_name: el.dataset.geomName,
      id: el.dataset.id,
      map_id: el.dataset.mapId,
      map_srid: parseInt(el.dataset.mapSrid, 10),
      name: el.dataset.name,
      default_lon: view.centre[0],
      default_lat: view.centre[1],
      default_zoom: view.zoom,
    });
    el.mapWidget = widget;
  });
});
