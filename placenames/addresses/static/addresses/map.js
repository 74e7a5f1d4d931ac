/* Address lookup map: address search and "what address is here" click, over the shared
   base map (map_kernel.js), which draws the streets, signs and door plates from this
   portal's vector tiles in the one style: the page draws no copy of them, only the marker
   of the address found. Offline: no external tiles or fonts. */
"use strict";
(function () {
  var mapEl = document.getElementById("map");
  var d = mapEl.dataset;
  var geojson = HegangMap.geojson;
  var setStatus = HegangMap.statusLine("map-status");
  var request = HegangMap.request;
  var STREET_ZOOM = 15;  // door plates are drawn from zoom 14: the map opens with them showing
  // The base map's tile layers this page is about, by the page's names (data-tiles).
  var COUNTED = {"door-plates": "doorplates", "street-signs": "signs", "streets": "streets"};

  var marker = new ol.layer.Vector({
    source: new ol.source.Vector(),
    zIndex: 10,
    style: new ol.style.Style({image: new ol.style.Circle({
      radius: 8, stroke: new ol.style.Stroke({color: "#9b1c1c", width: 3}),
      fill: new ol.style.Fill({color: "rgba(155,28,28,0.15)"})})}),
  });

  var map = HegangMap.createMap(mapEl, {zoom: STREET_ZOOM, minZoom: 8, maxZoom: 20, layers: [marker]});
  window.addressMap = map;
  var basemap = HegangMap.basemap(map);

  function zoomHint() {
    setStatus("放大到街道级（14 级及以上）显示门牌；当前 " + Math.round(map.getView().getZoom()) + " 级");
  }
  // How many streets, signs and plates the base map shows in the view (for tests and the
  // console: the page's own numbers come from the same tiles people see).
  function countShown() {
    var counts = {doorplates: 0, signs: 0, streets: 0};
    basemap.getFeaturesInExtent(map.getView().calculateExtent(map.getSize())).forEach(function (f) {
      var name = COUNTED[f.get("mvt:layer")];
      if (name) { counts[name] += 1; }
    });
    mapEl.dataset.tiles = JSON.stringify(counts);
  }
  if (basemap) {
    basemap.ready.then(function () {
      zoomHint();
      basemap.getSource().on("tileloaderror", function () { setStatus("底图瓦片加载失败，请刷新页面重试", true); });
      map.on("rendercomplete", countShown);
      map.render();
    }, function (err) { setStatus("底图加载失败：" + err.message, true); });
  }
  map.getView().on("change:resolution", zoomHint);

  function showMarker(lon, lat) {
    marker.getSource().clear();
    marker.getSource().addFeature(new ol.Feature(new ol.geom.Point(ol.proj.fromLonLat([lon, lat]))));
  }

  // ---- address search ----
  var form = document.getElementById("geocode-form");
  var input = document.getElementById("geocode-q");
  var list = document.getElementById("geocode-results");
  // What kind of match each result is, and how its name matched (the API's codes).
  var LEVEL = {plate: "门牌", interpolated: "内插", street: "街路", placename: "地名档案", area: "区域"};
  var VIA = {
    exact: "名称一致", fuzzy: "近似匹配", pinyin: "拼音匹配", homophone: "同音", prefix: "名称开头一致",
    substring: "名称包含", near: "相近名称",
  };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text != null) { e.textContent = text; }
    return e;
  }

  function goTo(feature) {
    var c = feature.geometry.coordinates;
    var level = feature.properties.level;
    map.getView().animate({center: ol.proj.fromLonLat(c), zoom: level === "area" ? 12 : level === "placename" ? 16 : 18, duration: 300});
    showMarker(c[0], c[1]);
  }

  form.addEventListener("submit", function (evt) {
    evt.preventDefault();
    var q = input.value.trim();
    list.replaceChildren();
    if (!q) { list.appendChild(el("li", "empty", "请输入地址")); return; }
    request(d.geocodeUrl, {params: {q: q}})
      .then(function (res) {
        if (!res.ok) { list.appendChild(el("li", "empty error", res.error)); return; }
        var feats = res.body.features;
        if (!feats.length) { list.appendChild(el("li", "empty", "没有找到匹配的地址")); return; }
        feats.forEach(function (f, i) {
          var p = f.properties;
          var li = el("li", "result", null);
          li.dataset.level = p.level;
          li.appendChild(el("span", "addr", p.address));
          li.appendChild(el("span", "tag" + (p.interpolated ? " interp" : ""), LEVEL[p.level]));
          if (p.is_demo) { li.appendChild(el("span", "demo-badge", "演示数据")); }
          var how = p.matched.via === "former" ? "曾用名 " + (p.matched.former_name || "") : (VIA[p.matched.via] || "");
          var kind = p.level === "placename" ? "地名档案" + (p.matched.category ? "（" + p.matched.category + "）" : "") : "";
          li.appendChild(el("span", "meta", "得分 " + p.score + [kind, how, p.note].filter(Boolean).map(function (t) { return " · " + t; }).join("")));
          (p.warnings || []).forEach(function (w) { li.appendChild(el("span", "warn", "注意：" + w.message)); });
          li.addEventListener("click", function () { goTo(f); });
          list.appendChild(li);
          if (i === 0) { goTo(f); }
        });
      })
      .catch(function (err) { list.appendChild(el("li", "empty error", "查询失败：" + err.message)); });
  });

  // ---- the streets newly named or renamed ----
  var namedList = document.getElementById("named-streets");
  HegangMap.getJSON(d.streetsUrl, {named: "true"})
    .then(function (data) {
      data.features.forEach(function (f) {
        var p = f.properties;
        var li = el("li", "result", null);
        li.appendChild(el("span", "addr", p.name));
        var former = p.former_names.length ? "原名" + p.former_names[0].name + "，" : "新命名，";
        li.appendChild(el("span", "meta", former + p.named_on + " · " + p.county + p.township + " · 门牌 " + p.plate_count + " 块"));
        li.addEventListener("click", function () {
          var geom = geojson.readGeometry(f.geometry);
          map.getView().fit(geom.getExtent(), {padding: [60, 60, 60, 60], maxZoom: 17, duration: 300});
        });
        namedList.appendChild(li);
      });
      namedList.dataset.count = String(data.features.length);
    })
    .catch(function (err) { namedList.appendChild(el("li", "empty error", "加载失败：" + err.message)); });

  // ---- the number a new door here would get (the street's numbering rule) ----
  // Officers only: the page leaves out the row and the URL for everyone else.
  function showProposal(street, ll) {
    var dd = details.querySelector("[data-field=proposal]");
    if (!dd || !d.proposeUrl) { return; }
    dd.textContent = "…";
    request(d.proposeUrl + street.id + "/propose", {params: {lon: ll[0].toFixed(7), lat: ll[1].toFixed(7)}})
      .then(function (res) {
        dd.textContent = res.ok
          ? street.name + res.body.text + "（" + (res.body.side === "left" ? "左" : "右") + "侧，距起编端 " +
            Math.round(res.body.chainage_m) + " 米；" + res.body.reason + "）"
          : res.error;
      })
      .catch(function (err) { dd.textContent = err.message; });
  }

  // ---- what address is here ----
  var details = document.getElementById("reverse-details");
  var empty = document.getElementById("reverse-empty");
  map.on("singleclick", function (evt) {
    var ll = ol.proj.toLonLat(evt.coordinate);
    request(d.reverseUrl, {params: {lon: ll[0].toFixed(7), lat: ll[1].toFixed(7)}})
      .then(function (res) {
        if (!res.ok) { empty.textContent = res.error; empty.hidden = false; details.hidden = true; return; }
        var p = res.body.properties;
        if (!p.address) { empty.textContent = p.note; empty.hidden = false; details.hidden = true; return; }
        var values = {
          address: p.address + (p.is_demo ? "（演示数据）" : ""), number: p.number,
          street: p.street.name, township: p.township.name, county: p.county.name, city: p.city.name,
          distance_m: p.distance_m + " 米",
        };
        details.querySelectorAll("[data-field]").forEach(function (dd) {
          dd.textContent = values[dd.dataset.field] || "—";
        });
        details.hidden = false;
        empty.hidden = true;
        HegangLayout.reveal(document.getElementById("reverse-info"));
        showMarker(res.body.geometry.coordinates[0], res.body.geometry.coordinates[1]);
        showProposal(p.street, ll);
      })
      .catch(function (err) { empty.textContent = "查询失败：" + err.message; });
  });
})();
