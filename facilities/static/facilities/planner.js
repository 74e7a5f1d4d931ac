/* Planner page: coverage per programme on a map (no tiles: offline), targets, siting runs
   in the background with progress and cancel, scenarios side by side. Data from this
   portal's API only. */
"use strict";
(function () {
  var root = document.getElementById("planner");
  var ds = root.dataset;
  var statusEl = document.getElementById("status");
  var picker = document.getElementById("programme");
  var geojson = HegangMap.geojson;
  var programmes = {};
  var currentRun = null;
  // One label and definition per figure (facilities/figures.py).
  var FIGURES = JSON.parse(document.getElementById("figure-labels").textContent);

  function setStatus(el, text, isError) { HegangMap.statusLine(el)(text, isError); }
  // The coverage figures run in the server's shared heavy-work slots: when every slot is
  // taken the server answers 503 with Retry-After, and the kernel waits and asks again.
  function waiting(waitS, attempt) {
    setStatus(statusEl, "服务器正忙，" + waitS + " 秒后第 " + attempt + " 次重试…");
  }
  function getJSON(url) { return HegangMap.getJSON(url, null, {onRetry: waiting}); }
  function postJSON(url, data) { return HegangMap.postJSON(url, data, {csrf: ds.csrf}); }
  function fmt(n) { return n === null || n === undefined ? "—" : Number(n).toLocaleString("zh-CN"); }
  function pct(x) { return x === null || x === undefined ? "—" : (x * 100).toFixed(1) + "%"; }
  // The models' labels come from the siting table the page renders into the form's select.
  function modelLabel(name) {
    var opt = document.querySelector('#siting-form select[name="model"] option[value="' + name + '"]');
    return opt ? opt.textContent : name;
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }

  // ---- map
  var gapSource = new ol.source.Vector();
  var demandSource = new ol.source.Vector();
  var facilitySource = new ol.source.Vector();
  var siteSource = new ol.source.Vector();
  var lineSource = new ol.source.Vector();
  var scenarioPointSource = new ol.source.Vector();
  var COLOURS = {served: "#2e86c1", partly: "#e67e22", unserved: "#c0392b"};
  var demandStyles = {};
  // The unserved points of a dense grid would merge into one red mass over the served
  // ones: they are lighter and drawn first; served and partly served points go on top.
  var DEMAND_LOOK = {
    served: {radius: 3, alpha: "", z: 3},
    partly: {radius: 3, alpha: "", z: 2},
    unserved: {radius: 2, alpha: "80", z: 1},
  };
  Object.keys(COLOURS).forEach(function (k) {
    var look = DEMAND_LOOK[k];
    demandStyles[k] = new ol.style.Style({zIndex: look.z, image: new ol.style.Circle({
      radius: look.radius, fill: new ol.style.Fill({color: COLOURS[k] + look.alpha}),
      stroke: look.alpha ? undefined : new ol.style.Stroke({color: "#ffffff", width: 0.75})})});
  });
  // 未覆盖区域: an outline and a thin grey hatch, not a fill, so that the demand points
  // (red = unserved) and the facilities inside and beside it stay readable; the legend's
  // swatch (.sq.gap in planner.css) is the same hatch in the same colour.
  var GAP_COLOUR = "#566573";
  function hatch(colour) {
    var c = document.createElement("canvas");
    c.width = c.height = 8;
    var g = c.getContext("2d");
    g.strokeStyle = colour;
    g.globalAlpha = 0.6;
    g.lineWidth = 1;
    g.beginPath();
    g.moveTo(0, 8); g.lineTo(8, 0);
    g.moveTo(-1, 1); g.lineTo(1, -1);
    g.moveTo(7, 9); g.lineTo(9, 7);
    g.stroke();
    return g.createPattern(c, "repeat");
  }
  var gapLayer = new ol.layer.Vector({source: gapSource, properties: {name: "gaps"}, style: new ol.style.Style({
    stroke: new ol.style.Stroke({color: GAP_COLOUR, width: 1.5}), fill: new ol.style.Fill({color: hatch(GAP_COLOUR)})})});
  // Before/after: 1 reached by an existing site, 2 reached only with the scenario's sites.
  var SCENARIO_COLOURS = {before: {0: "#c0392b", 1: "#2e86c1", 2: "#c0392b"}, after: {0: "#c0392b", 1: "#2e86c1", 2: "#27ae60"}};
  var scenarioStyles = {};
  ["before", "after"].forEach(function (mode) {
    scenarioStyles[mode] = {};
    [0, 1, 2].forEach(function (st) {
      scenarioStyles[mode][st] = new ol.style.Style({image: new ol.style.Circle({radius: 2.5, fill: new ol.style.Fill({color: SCENARIO_COLOURS[mode][st]})})});
    });
  });
  var mapMode = "now";
  var outlines = HegangMap.countyBackdrop();
  // Zoom 10: the urban districts, where most facilities and people are.
  var map = HegangMap.createMap("map", {zoom: 10, minZoom: 6, maxZoom: 19, layers: [
    outlines,
    gapLayer,
    new ol.layer.Vector({source: demandSource, style: function (f) { return mapMode === "now" ? demandStyles[f.get("state")] : null; }}),
    new ol.layer.Vector({source: facilitySource, style: new ol.style.Style({image: new ol.style.Circle({
      radius: 6, fill: new ol.style.Fill({color: "#f1c40f"}), stroke: new ol.style.Stroke({color: "#1b4f72", width: 2})})})}),
    new ol.layer.Vector({source: scenarioPointSource, style: function (f) { return mapMode === "now" ? null : scenarioStyles[mapMode][f.get("state")]; }}),
    new ol.layer.Vector({source: lineSource, style: new ol.style.Style({stroke: new ol.style.Stroke({color: "rgba(142,68,173,0.55)", width: 1})})}),
    new ol.layer.Vector({source: siteSource, style: new ol.style.Style({image: new ol.style.RegularShape({
      points: 5, radius: 9, radius2: 4, fill: new ol.style.Fill({color: "#8e44ad"}), stroke: new ol.style.Stroke({color: "#fff", width: 1})})})}),
  ]});
  window.plannerMap = map;  // for browser tests and the console
  outlines.loaded.catch(function (err) { setStatus(statusEl, "加载区县底图失败：" + err.message, true); });

  // ---- coverage
  function showCoverage(report) {
    var summary = document.getElementById("summary");
    function field(name, text) { summary.querySelector('[data-field="' + name + '"]').textContent = text; }
    field("target", report.target_label + " " + fmt(report.target_population) + " 人");
    field("served", fmt(report.served) + " 人");
    field("share", pct(report.served_share));
    field("overflow", fmt(report.overflow) + " 人");
    field("distance", report.service_distance_m + " 米；" + report.distance_note);
    var rule = document.getElementById("unit-rule");
    rule.textContent = "";
    if (report.unit_rule) {
      var r = report.unit_rule;
      rule.appendChild(el("p", r.label + "：" + r.with_facility + "/" + r.units + "（" + pct(r.share) + "）"));
      if (r.lacking.length) {
        var ul = el("ul", undefined, "lacking small");
        r.lacking.forEach(function (u) { ul.appendChild(el("li", "缺：" + u.name + "（" + u.parent + "）")); });
        rule.appendChild(ul);
      }
    }
    gapSource.clear();
    if (report.gaps_4490) {
      gapSource.addFeature(geojson.readFeature({type: "Feature", geometry: report.gaps_4490, properties: {}}));
    }
    demandSource.clear();
    demandSource.addFeatures(report.demand_points.map(function (p) {
      var state = p[3] >= p[2] - 0.5 ? "served" : (p[3] > 0 ? "partly" : "unserved");
      return new ol.Feature({geometry: new ol.geom.Point(ol.proj.fromLonLat([p[0], p[1]])), state: state});
    }));
    showTable(report.by_area);
    showChart(report.by_area.filter(function (r) { return r.level === "county"; }));
  }

  function showTable(rows) {
    var body = document.querySelector("#area-table tbody");
    body.textContent = "";
    var levels = {city: "市", county: "县（区）", township: "乡镇（街道）"};
    rows.forEach(function (r) {
      var tr = el("tr", undefined, r.level);
      [r.name, levels[r.level], fmt(r.target), fmt(r.served), r.target ? pct(r.served / r.target) : "—"]
        .forEach(function (v) { tr.appendChild(el("td", v)); });
      body.appendChild(tr);
    });
  }

  function showChart(rows) {
    var NS = "http://www.w3.org/2000/svg";
    var svg = document.getElementById("chart");
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    // A narrow phone column still gets a visible track (never a negative width).
    var rowH = 22, left = 70, right = 60;
    var w = Math.max(svg.clientWidth || 400, left + right + 80), track = w - left - right;
    svg.setAttribute("viewBox", "0 0 " + w + " " + (rows.length * rowH + 10));
    rows.forEach(function (r, i) {
      var share = r.target ? r.served / r.target : null;  // no one to serve: "—", not 0%
      var y = 5 + i * rowH;
      var label = document.createElementNS(NS, "text");
      label.setAttribute("x", 0); label.setAttribute("y", y + 14); label.setAttribute("font-size", "12");
      label.textContent = r.name;
      var bg = document.createElementNS(NS, "rect");
      bg.setAttribute("x", left); bg.setAttribute("y", y + 3); bg.setAttribute("height", 14);
      bg.setAttribute("width", track); bg.setAttribute("fill", "#e1e6ec");
      var bar = document.createElementNS(NS, "rect");
      bar.setAttribute("x", left); bar.setAttribute("y", y + 3); bar.setAttribute("height", 14);
      bar.setAttribute("width", Math.max(0, track * Math.min(share, 1))); bar.setAttribute("fill", "#2e86c1");
      bar.setAttribute("class", "bar");
      var value = document.createElementNS(NS, "text");
      value.setAttribute("x", w - right + 4); value.setAttribute("y", y + 14); value.setAttribute("font-size", "12");
      value.textContent = pct(share);
      [label, bg, bar, value].forEach(function (n) { svg.appendChild(n); });
    });
  }

  function loadProgramme() {
    var slug = picker.value;
    var p = programmes[slug];
    if (p) {
      document.getElementById("standard").textContent =
        "标准：" + p.target_label + "，" + p.service_distance_m + " 米（" + p.distance_kind_label + "）" +
        (p.capacity_per_1000 ? "，每千人 " + p.capacity_per_1000 + " " : "") +
        (p.unit_rule ? "，" + p.unit_rule_label : "") + "。出处：" + p.sources;
    }
    document.getElementById("report-link").href = ds.reportUrl + "?programme=" + encodeURIComponent(slug);
    document.getElementById("excel-link").href = ds.excelUrl + "?programme=" + encodeURIComponent(slug);
    setStatus(statusEl, "正在计算覆盖…");
    siteSource.clear();
    var fac = getJSON(ds.facilitiesUrl + "?programme=" + encodeURIComponent(slug)).then(function (data) {
      facilitySource.clear();
      facilitySource.addFeatures(geojson.readFeatures(data));
    });
    var cov = getJSON(ds.coverageUrl + "?programme=" + encodeURIComponent(slug)).then(showCoverage);
    Promise.all([fac, cov, loadScenarios()]).then(function () {
      setStatus(statusEl, "已加载：" + (p ? p.name : slug));
      root.dataset.loaded = slug;
    }).catch(function (err) {
      gapSource.clear(); demandSource.clear();
      setStatus(statusEl, err.message, true);
      root.dataset.loaded = slug;
    });
  }

  // ---- scenarios: several side by side (figures from the server, one definition), one on the map
  var compared = {};  // scenario id → shown in the comparison table
  var onMap = null;
  function loadScenarios() {
    return getJSON(ds.scenariosUrl + "?programme=" + encodeURIComponent(picker.value)).then(function (list) {
      var box = document.getElementById("scenarios");
      box.textContent = "";
      if (!list.length) {
        box.appendChild(el("p", "尚无方案。", "small"));
        document.getElementById("scenario-view").hidden = true;
        clearScenarioMap();
        return;
      }
      var ids = list.map(function (s) { return s.id; });
      Object.keys(compared).forEach(function (id) { if (ids.indexOf(Number(id)) < 0) { delete compared[id]; } });
      if (!Object.keys(compared).length) { list.slice(0, 3).forEach(function (s) { compared[s.id] = true; }); }
      if (onMap === null || ids.indexOf(onMap) < 0) { onMap = list[0].id; }
      var ul = el("ul", undefined, "scenario-list");
      list.forEach(function (s) {
        var li = el("li");
        var cb = el("input"); cb.type = "checkbox"; cb.checked = !!compared[s.id];
        cb.setAttribute("aria-label", "比较方案 " + s.name);
        cb.addEventListener("change", function () {
          if (cb.checked) { compared[s.id] = true; } else { delete compared[s.id]; }
          showComparison(list);
        });
        var radio = el("input"); radio.type = "radio"; radio.name = "scenario-on-map"; radio.checked = s.id === onMap;
        radio.setAttribute("aria-label", "在地图上显示方案 " + s.name);
        radio.addEventListener("change", function () { onMap = s.id; showOnMap(s.id); });
        li.appendChild(cb); li.appendChild(radio);
        li.appendChild(el("span", s.name + " #" + s.id + "（" + s.distance_label + "）"));
        ul.appendChild(li);
      });
      box.appendChild(el("p", "勾选方框比较（并排），选中圆点在地图上查看。", "small"));
      box.appendChild(ul);
      var wrap = el("div", undefined, "compare-wrap"); wrap.id = "compare";
      box.appendChild(wrap);
      showComparison(list);
      return showOnMap(onMap);
    });
  }

  function showComparison(list) {
    var wrap = document.getElementById("compare");
    wrap.textContent = "";
    var shown = list.filter(function (s) { return compared[s.id]; });
    if (!shown.length) { wrap.appendChild(el("p", "未勾选方案。", "small")); return; }
    var table = el("table", undefined, "compare");
    var head = el("tr");
    head.appendChild(el("th", "指标"));
    shown.forEach(function (s) { head.appendChild(el("th", s.name + " #" + s.id)); });
    table.appendChild(head);
    shown[0].figures.forEach(function (row, k) {
      var tr = el("tr");
      tr.appendChild(el("td", row[0]));
      shown.forEach(function (s) { tr.appendChild(el("td", s.figures[k][1])); });
      table.appendChild(tr);
    });
    wrap.appendChild(table);
  }

  function clearScenarioMap() {
    siteSource.clear(); lineSource.clear(); scenarioPointSource.clear();
  }

  function showOnMap(id) {
    return getJSON(ds.scenariosUrl + "/" + id).then(function (s) {
      clearScenarioMap();
      s.new_sites.forEach(function (site) {
        siteSource.addFeature(new ol.Feature({geometry: new ol.geom.Point(ol.proj.fromLonLat([site.lon, site.lat]))}));
      });
      if (document.getElementById("show-lines").checked) {
        lineSource.addFeatures(s.allocation.lines.map(function (l) {
          return new ol.Feature({geometry: new ol.geom.LineString([ol.proj.fromLonLat([l[0], l[1]]), ol.proj.fromLonLat([l[2], l[3]])])});
        }));
      }
      scenarioPointSource.addFeatures(s.coverage_points.map(function (p) {
        return new ol.Feature({geometry: new ol.geom.Point(ol.proj.fromLonLat([p[0], p[1]])), state: p[3]});
      }));
      var view = document.getElementById("scenario-view");
      view.hidden = false;
      document.getElementById("scenario-view-note").textContent =
        "地图上为方案“" + s.name + "”：紫色星形为新增站点，连线为需求单元到所分配站点" +
        (s.allocation.rows_total > s.allocation.lines.length ? "（仅画出前 " + fmt(s.allocation.lines.length) + " 条）" : "") +
        "；“方案实施前/后”按本方案的距离方式着色，绿色为新增覆盖。" +
        (s.unserved_count ? "未分配的需求单元 " + fmt(s.unserved_count) + " 个。" : "");
      var body = document.querySelector("#load-table tbody");
      body.textContent = "";
      var kinds = {"new": "新增", existing: "现有"};
      s.loads.forEach(function (x) {
        var tr = el("tr");
        [x.site, kinds[x.site_kind], fmt(Math.round(x.load)), x.capacity === null ? "不限" : fmt(x.capacity), pct(x.use_share)]
          .forEach(function (v) { tr.appendChild(el("td", v)); });
        body.appendChild(tr);
      });
      document.getElementById("allocation-link").href = ds.allocationUrl.replace("/0/", "/" + s.id + "/");
      root.dataset.scenarioOnMap = String(s.id);
    });
  }

  document.getElementById("map-mode").addEventListener("change", function (ev) {
    mapMode = ev.target.value;
    demandSource.changed(); scenarioPointSource.changed();
  });
  document.getElementById("show-lines").addEventListener("change", function () {
    if (onMap !== null) { showOnMap(onMap).catch(function (err) { setStatus(statusEl, err.message, true); }); }
  });

  // ---- siting runs
  var formStatus = document.getElementById("form-status");
  document.getElementById("siting-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var form = ev.target;
    var data = {programme: picker.value, name: form.name.value, model: form.model.value, time_limit: form.time_limit.value};
    if (form.model.selectedOptions[0].dataset.p !== "refused") { data.p = form.p.value; }
    if (form.radius_m.value) { data.radius_m = form.radius_m.value; }
    if (form.capacity_per_site.value) { data.capacity_per_site = form.capacity_per_site.value; }
    data.distance = form.distance.value;
    if (data.distance === "network" && form.exclude_unreachable.checked) { data.exclude_unreachable = "true"; }
    var sent;
    if (data.distance === "matrix") {
      if (!form.cost_matrix.files.length) { setStatus(formStatus, "请选择费用矩阵文件（CSV 或 Excel）", true); return; }
      var fd = new FormData();
      Object.keys(data).forEach(function (k) { fd.append(k, data[k]); });
      fd.append("cost_matrix", form.cost_matrix.files[0]);
      sent = HegangMap.request(ds.runsUrl, {method: "POST", body: fd, csrf: ds.csrf}).then(function (res) {
        if (!res.ok) { throw new Error(res.error); }
        return res.body;
      });
    } else {
      sent = postJSON(ds.runsUrl, data);
    }
    setStatus(formStatus, "正在提交…");
    sent.then(function (run) {
      currentRun = run.id;
      document.getElementById("run").hidden = false;
      cancelButton.disabled = false;
      setStatus(formStatus, "已排队，后台计算中。");
      poll();
    }).catch(function (err) { setStatus(formStatus, err.message, true); });
  });
  var distanceSelect = document.querySelector('#siting-form select[name="distance"]');
  function showDistanceFields() {
    var v = distanceSelect.value;
    document.getElementById("matrix-field").hidden = v !== "matrix";
    document.getElementById("matrix-help").hidden = v !== "matrix";
    document.getElementById("exclude-field").hidden = v !== "network";
  }
  distanceSelect.addEventListener("change", showDistanceFields);
  showDistanceFields();
  // The cancel button works only while a run is queued or running: disabled before the
  // first run, once cancelling was asked for, and when the run has ended.
  var cancelButton = document.getElementById("run-cancel");
  cancelButton.addEventListener("click", function () {
    if (!currentRun) { return; }
    cancelButton.disabled = true;
    postJSON(ds.runsUrl + "/" + currentRun + "/cancel").then(function () {
      setStatus(formStatus, "已请求取消。");
    }).catch(function (err) {
      cancelButton.disabled = !currentRun;
      setStatus(formStatus, err.message, true);
    });
  });
  function poll() {
    if (!currentRun) { return; }
    getJSON(ds.runsUrl + "/" + currentRun).then(function (run) {
      document.getElementById("run-progress").value = run.progress;
      document.getElementById("run-status").textContent = run.status_label + " " + Math.round(run.progress * 100) + "%";
      if (run.status === "queued" || run.status === "running") {
        setTimeout(poll, 1000);
        return;
      }
      currentRun = null;
      cancelButton.disabled = true;
      setStatus(formStatus, run.status_label + (run.message ? "：" + run.message : ""), run.status === "failed");
      if (run.status === "done") { loadScenarios(); }
    }).catch(function (err) { setStatus(formStatus, err.message, true); });
  }

  // ---- start
  getJSON(ds.programmesUrl).then(function (list) {
    list.forEach(function (p) { programmes[p.slug] = p; });
    picker.addEventListener("change", loadProgramme);
    loadProgramme();
  }).catch(function (err) { setStatus(statusEl, err.message, true); });
})();
