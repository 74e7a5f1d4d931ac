/* Place-name lookup: search with autocomplete, result list, detail with geometry on the map,
   and "what is here" on a map click. Data from this portal's API only (offline intranet). */
"use strict";
(function () {
  var mapEl = document.getElementById("map");
  var form = document.getElementById("pn-search");
  var input = document.getElementById("pn-q");
  var statusSelect = document.getElementById("pn-status");
  var suggestEl = document.getElementById("pn-suggest");
  var statusLine = document.getElementById("pn-status-line");
  var resultsSection = document.getElementById("pn-results-section");
  var resultsEl = document.getElementById("pn-results");
  var hereSection = document.getElementById("pn-here-section");
  var hereEl = document.getElementById("pn-here");
  var detailEl = document.getElementById("pn-detail");
  var PAGE_SIZE = 20;
  var page = 1;
  var lastQuery = null;
  var geojson = HegangMap.geojson;
  var setStatus = HegangMap.statusLine(statusLine);
  var getJSON = HegangMap.getJSON;

  // Map: county outlines for orientation, result points, the selected geometry, the clicked point.
  var counties = HegangMap.countyBackdrop();
  var resultSource = new ol.source.Vector();
  var selectedSource = new ol.source.Vector();
  var clickSource = new ol.source.Vector();
  var map = HegangMap.createMap(mapEl, {minZoom: 6, maxZoom: 19, layers: [
    counties,
    new ol.layer.Vector({source: resultSource, style: function (f) {
      return new ol.style.Style({
        image: new ol.style.Circle({radius: 5, fill: new ol.style.Fill({color: "#9b1c1c"}),
          stroke: new ol.style.Stroke({color: "#fff", width: 1.5})}),
        text: new ol.style.Text({text: f.get("standard_name"), offsetY: -12, font: "13px sans-serif",
          fill: new ol.style.Fill({color: "#1d2733"}), stroke: new ol.style.Stroke({color: "#fff", width: 3})}),
      });
    }}),
    new ol.layer.Vector({properties: {name: "selected"}, source: selectedSource, style: new ol.style.Style({
      stroke: new ol.style.Stroke({color: "#d97706", width: 4}),
      fill: new ol.style.Fill({color: "rgba(217,119,6,0.15)"}),
      image: new ol.style.Circle({radius: 8, fill: new ol.style.Fill({color: "#d97706"}),
        stroke: new ol.style.Stroke({color: "#fff", width: 2})}),
    })}),
    new ol.layer.Vector({source: clickSource, style: new ol.style.Style({
      image: new ol.style.RegularShape({points: 4, radius: 9, radius2: 0, angle: Math.PI / 4,
        stroke: new ol.style.Stroke({color: "#1d2733", width: 2})}),
    })}),
  ]});
  window.placenameMap = map;  // for browser tests and the console

  // Door plates and their numbers come with the base map (gis_portal/maps/, from z14).

  var userMoved = false;  // a search or a detail fitted the view: keep it
  counties.loaded.then(function () {
    if (!userMoved) { map.getView().fit(counties.getSource().getExtent(), {padding: [20, 20, 20, 20]}); }
    mapEl.dataset.ready = "true";
  }).catch(function (err) {
    setStatus("加载区划底图失败：" + err.message, true);
    mapEl.dataset.ready = "true";
  });

  function listItem(props, extra) {
    var li = document.createElement("li");
    li.dataset.code = props.place_code;
    var name = document.createElement("span");
    name.className = "pn-name";
    name.textContent = props.standard_name;
    li.appendChild(name);
    if (props.is_demo) {
      var badge = document.createElement("span");
      badge.className = "demo-badge";
      badge.textContent = "演示数据";
      li.appendChild(document.createTextNode(" "));
      li.appendChild(badge);
    }
    var meta = document.createElement("span");
    meta.className = "pn-meta";
    meta.textContent = [props.pinyin, props.category, props.division, extra].filter(Boolean).join(" · ");
    li.appendChild(meta);
    li.tabIndex = 0;
    li.addEventListener("click", function () { showDetail(props.place_code); });
    li.addEventListener("keydown", function (e) { if (e.key === "Enter") { showDetail(props.place_code); } });
    return li;
  }

  // Address search (door plates, streets) beside the name search: the top matches.
  var addressSection = document.getElementById("pn-address-section");
  var addressesEl = document.getElementById("pn-addresses");
  var ADDRESS_LEVEL = {plate: "门牌", interpolated: "推算门牌", street: "街路巷", area: "区域"};
  // Resolves to the number of address hits shown (0 when the text is not an address).
  function searchAddresses(q) {
    addressesEl.replaceChildren();
    return getJSON(mapEl.dataset.geocodeUrl, {q: q})
      .then(function (data) {
        // Areas and archive names are in the name results already.
        var hits = data.features.filter(function (f) {
          return f.properties.level !== "area" && f.properties.level !== "placename";
        }).slice(0, 3);
        hits.forEach(function (f) {
          var p = f.properties;
          var li = document.createElement("li");
          li.tabIndex = 0;
          var name = document.createElement("span");
          name.textContent = p.address;
          li.appendChild(name);
          var tag = document.createElement("span");
          tag.className = "small";
          tag.textContent = " " + (p.interpolated ? ADDRESS_LEVEL.interpolated : (ADDRESS_LEVEL[p.level] || ""));
          li.appendChild(tag);
          if (p.is_demo) {
            var demo = document.createElement("span");
            demo.className = "demo-badge";
            demo.textContent = "演示数据";
            li.appendChild(demo);
          }
          li.addEventListener("click", function () {
            var geom = geojson.readGeometry(f.geometry);
            selectedSource.clear();
            selectedSource.addFeature(new ol.Feature(geom));
            userMoved = true;
            map.getView().fit(geom.getExtent(), {padding: [60, 60, 60, 60], maxZoom: 17});
          });
          addressesEl.appendChild(li);
        });
        addressSection.hidden = !hits.length;
        addressSection.dataset.count = String(hits.length);
        return hits.length;
      })
      .catch(function () { addressSection.hidden = true; return 0; });  // not an address: names only
  }

  // One line for both searches: an address found is never reported as "nothing found".
  function searchStatus(q, data, addressCount) {
    var addresses = addressCount ? addressCount + " 条门牌地址" : "";
    if (!data.count) {
      return addresses
        ? "找到 " + addresses + "；地名档案中没有“" + q + "”"
        : "没有找到“" + q + "”，请换个写法或检查用字";
    }
    var names = data.count_exact === false ? "至少 " + data.count + " 条地名" : data.count + " 条地名";
    var text = "找到 " + names + (addresses ? "、" + addresses : "");
    return data.count_exact === false ? text + "，已按相关度列出最相关的，可加字缩小范围" : text;
  }

  var searchSeq = 0;  // a suggestion answer that arrives after a search is dropped
  var lastAddressCount = 0;
  function search(q, pageNumber) {
    searchSeq += 1;
    var seq = searchSeq;
    var addresses = (pageNumber || 1) === 1 ? searchAddresses(q) : Promise.resolve(lastAddressCount);
    hideSuggest();
    lastQuery = q;
    page = pageNumber || 1;
    setStatus("正在查询…");
    var names = getJSON(mapEl.dataset.searchUrl, {q: q, status: statusSelect.value, page: page, page_size: PAGE_SIZE});
    return Promise.all([names, addresses])
      .then(function (answers) {
        if (seq !== searchSeq) { return; }  // a newer search is on its way
        var data = answers[0];
        lastAddressCount = answers[1];
        resultsEl.replaceChildren();
        resultSource.clear();
        data.features.forEach(function (f) {
          resultsEl.appendChild(listItem(f.properties));
          if (f.geometry) { resultSource.addFeature(geojson.readFeature(f)); }
        });
        // No name matched: no empty "查询结果（共 0 条）" heading (the status line says so).
        resultsSection.hidden = !data.count;
        // A broad query is ranked among the first matches only: the count is then "at least".
        var countText = data.count_exact === false ? "至少 " + data.count : "共 " + data.count;
        document.getElementById("pn-count").textContent = "（" + countText + " 条）";
        var pages = Math.max(1, Math.ceil(data.count / PAGE_SIZE));
        document.getElementById("pn-page").textContent =
          "第 " + page + " / " + pages + (data.count_exact === false ? "+" : "") + " 页";
        document.getElementById("pn-prev").disabled = page <= 1;
        document.getElementById("pn-next").disabled = page >= pages;
        setStatus(searchStatus(q, data, lastAddressCount));
        if (resultSource.getFeatures().length) {
          userMoved = true;
          map.getView().fit(resultSource.getExtent(), {padding: [40, 40, 40, 40], maxZoom: 15});
        }
        mapEl.dataset.results = String(data.features.length);
      })
      .catch(function (err) { setStatus("查询失败：" + err.message, true); });
  }

  function field(name) { return detailEl.querySelector("[data-field=" + name + "]"); }

  function showDetail(code) {
    return getJSON(mapEl.dataset.searchUrl + "/" + encodeURIComponent(code)).then(function (feature) {
      var p = feature.properties;
      p.aliases_text = p.aliases.map(function (a) {
        var period = [a.valid_from, a.valid_to].filter(Boolean).join(" 至 ");
        return a.name + "（" + a.kind_display + (period ? "，" + period : "") + "）";
      }).join("；") || "无";
      detailEl.querySelectorAll("[data-field]").forEach(function (el) {
        var v = p[el.dataset.field];
        el.textContent = v === null || v === undefined || v === "" ? "—" : String(v);
      });
      document.getElementById("pn-demo").hidden = !p.is_demo;
      var cultureLink = document.getElementById("pn-culture");
      if (cultureLink) { cultureLink.href = "/culture/" + encodeURIComponent(code) + "/"; }
      detailEl.hidden = false;
      detailEl.dataset.code = code;
      selectedSource.clear();
      document.getElementById("pn-no-geom").hidden = !!feature.geometry;
      if (feature.geometry) {
        var f = geojson.readFeature(feature);
        selectedSource.addFeature(f);
        userMoved = true;
        map.getView().fit(f.getGeometry().getExtent(), {padding: [60, 60, 60, 60], maxZoom: 16});
      }
      detailEl.scrollIntoView({block: "nearest"});
      HegangLayout.reveal(detailEl);  // a phone or kiosk: the name's heading at the panel's top
    }).catch(function (err) { setStatus("读取地名详情失败：" + err.message, true); });
  }

  // Autocomplete: debounce typing, arrow keys to move, Enter to pick.
  var suggestTimer = null;
  var active = -1;
  function hideSuggest() {
    suggestEl.hidden = true;
    suggestEl.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    active = -1;
  }
  function renderSuggest(items) {
    suggestEl.replaceChildren();
    items.forEach(function (s, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "pn-suggest-" + i;
      li.textContent = s.standard_name + "  " + s.pinyin + " · " + s.division;
      li.dataset.name = s.standard_name;
      li.addEventListener("mousedown", function (e) {
        e.preventDefault();
        input.value = s.standard_name;
        search(s.standard_name, 1);
      });
      suggestEl.appendChild(li);
    });
    suggestEl.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
  }
  input.addEventListener("input", function () {
    clearTimeout(suggestTimer);
    var q = input.value.trim();
    if (!q) { hideSuggest(); return; }
    var seq = searchSeq;
    suggestTimer = setTimeout(function () {
      if (seq !== searchSeq) { return; }
      getJSON(mapEl.dataset.suggestUrl, {q: q, limit: 8}).then(function (data) {
        if (seq === searchSeq && input.value.trim() === q) { renderSuggest(data.suggestions); }
      }).catch(function () { hideSuggest(); });
    }, 150);
  });
  input.addEventListener("keydown", function (e) {
    var items = suggestEl.querySelectorAll("li");
    if (!items.length) { return; }
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      items.forEach(function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[active].id);
    } else if (e.key === "Enter" && active >= 0) {
      e.preventDefault();
      input.value = items[active].dataset.name;
      search(input.value, 1);
    } else if (e.key === "Escape") {
      hideSuggest();
    }
  });
  input.addEventListener("blur", function () { setTimeout(hideSuggest, 150); });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = input.value.trim();
    if (!q) { setStatus("请输入要查询的地名", true); return; }
    search(q, 1);
  });
  statusSelect.addEventListener("change", function () { if (lastQuery) { search(lastQuery, 1); } });
  document.getElementById("pn-prev").addEventListener("click", function () { search(lastQuery, page - 1); });
  document.getElementById("pn-next").addEventListener("click", function () { search(lastQuery, page + 1); });

  // What is here: the names within 500 m of the clicked point (tap on a kiosk or phone).
  var hereAddressEl = document.getElementById("pn-here-address");
  map.on("singleclick", function (evt) {
    var lonLat = ol.proj.toLonLat(evt.coordinate);
    hereAddressEl.textContent = "…";
    getJSON(mapEl.dataset.reverseUrl, {lon: lonLat[0].toFixed(7), lat: lonLat[1].toFixed(7)})
      .then(function (data) {
        var p = data.properties;
        hereAddressEl.textContent = p.address
          ? p.address + "（距 " + p.distance_m + " 米" + (p.is_demo ? "，演示数据" : "") + "）"
          : (p.note || "附近没有门牌");
      })
      .catch(function (err) { hereAddressEl.textContent = err.message; });
    clickSource.clear();
    clickSource.addFeature(new ol.Feature(new ol.geom.Point(evt.coordinate)));
    getJSON(mapEl.dataset.nearUrl, {lon: lonLat[0].toFixed(6), lat: lonLat[1].toFixed(6), radius_m: 500, limit: 20})
      .then(function (data) {
        hereEl.replaceChildren();
        data.features.forEach(function (f) {
          hereEl.appendChild(listItem(f.properties, Math.round(f.properties.distance_m) + " 米"));
        });
        if (!data.features.length) {
          var li = document.createElement("li");
          li.className = "hint";
          li.textContent = "500 米内没有登记的地名";
          hereEl.appendChild(li);
        }
        document.getElementById("pn-here-where").textContent =
          "东经 " + lonLat[0].toFixed(5) + "°，北纬 " + lonLat[1].toFixed(5) + "°，500 米内";
        hereSection.hidden = false;
        hereSection.dataset.count = String(data.features.length);
        HegangLayout.reveal(hereSection);  // a phone or kiosk: the answer is below the map
      })
      .catch(function (err) { setStatus("查询此处地名失败：" + err.message, true); });
  });

  // A link from another page (the sign coverage list, a culture page) opens one record.
  var linkedCode = new URLSearchParams(window.location.search).get("code");
  if (linkedCode && /^\d{20}$/.test(linkedCode)) { showDetail(linkedCode); }
})();
