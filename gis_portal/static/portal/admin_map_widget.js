/* Start Django's MapWidget for every offline geometry field, with the county areas
   (served by this portal) as the backdrop instead of internet tiles. */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-offline-map-widget]").forEach(function (el) {
    var backdrop = new ol.layer.Vector({
      source: new ol.source.Vector({
        url: el.dataset.backdropUrl,
        format: new ol.format.GeoJSON({dataProjection: "EPSG:4326", featureProjection: "EPSG:3857"}),
      }),
      style: new ol.style.Style({
        stroke: new ol.style.Stroke({color: "#7a8ca3", width: 1}),
        fill: new ol.style.Fill({color: "rgba(230,236,243,0.6)"}),
      }),
    });
    var widget = new MapWidget({
      base_layer: backdrop,
      geom_name: el.dataset.geomName,
      id: el.dataset.id,
      map_id: el.dataset.mapId,
      map_srid: parseInt(el.dataset.mapSrid, 10),
      name: el.dataset.name,
      default_lon: 130.3,
      default_lat: 47.35,
      default_zoom: 9,
    });
    el.mapWidget = widget;
  });
});
