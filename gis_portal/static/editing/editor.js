/* Officers' map editor: boundary lines and markers.
   Select → modify (snapping; coincident vertices of lines and markers move together) →
   attributes → save all changed features in one request, each with the version it was
   edited on (If-Match semantics; a stale one opens the conflict dialog). No inline script:
   configuration comes from data- attributes and the portal's own API. */
"use strict";
(function () {
  var mapEl = document.getElementById("map");
  var API = mapEl.dataset.api;
  var statusEl = document.getElementById("editor-status");
  var form = document.getElementById("attr-form");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var geojson = new ol.format.GeoJSON({dataProjection: "EPSG:4326", featureProjection: "EPSG:3857"});
  var COUNTY = mapEl.dataset.county;
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
  var ATTRS = {
    "boundary-lines": ["name", "agreement_ref", "agreement_date"],
    "boundary-markers": ["material", "description"],
  };

  // The attribute names of a layer: fixed above, or the generated fields of the layers
  // described by /api/v1/editing/<layer>/form (create-only fields for a new feature).
  function attrsOf(key, f) {
    if (ATTRS[key]) { return ATTRS[key]; }
    var isNew = !!(f && f.get("isNew"));
    return Array.prototype.filter.call(form.querySelectorAll('.ed-field[data-for="' + key + '"] [data-attr]'), function (el) {
      return isNew || !el.hasAttribute("data-create-only");
    }).map(function (el) { return el.dataset.attr; });
  }
  function fieldInput(key, name) {
    return form.querySelector('.ed-field[data-for="' + key + '"] [data-attr="' + name + '"]') || form.elements[name];
  }

  function setStatus(text, isError) {
    statusEl.textContent = text;
    statusEl.classList.toggle("error", !!isError);
  }

  // --- layers -----------------------------------------------------------------------
  var sources = {}, layers = {};
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
  var areaSource = new ol.source.Vector();
  var historySource = new ol.source.Vector();
  var map = new ol.Map({
    target: mapEl,
    layers: [new ol.layer.Vector({source: areaSource, style: new ol.style.Style({
      stroke: new ol.style.Stroke({color: "#2f5d8a", width: 1}), fill: new ol.style.Fill({color: "rgba(120,160,200,0.12)"}),
    })})],
    view: new ol.View({center: ol.proj.fromLonLat([130.9, 47.6]), zoom: 8, maxZoom: 22}),
    controls: ol.control.defaults.defaults({attribution: false}).extend([new ol.control.ScaleLine()]),
  });
  Object.keys(LAYER_URL).forEach(function (key) {
    sources[key] = new ol.source.Vector();
    layers[key] = new ol.layer.Vector({source: sources[key], style: styles[key], zIndex: key === "boundary-markers" ? 3 : 2});
    map.addLayer(layers[key]);
  });
  map.addLayer(new ol.layer.Vector({source: historySource, zIndex: 4, style: function (f) {
    var before = f.get("which") === "before";
    return new ol.style.Style({
      stroke: new ol.style.Stroke({color: before ? "#777" : "#1a7f37", width: 2, lineDash: before ? [6, 4] : undefined}),
      image: new ol.style.Circle({radius: 7, stroke: new ol.style.Stroke({color: before ? "#777" : "#1a7f37", width: 2})}),
    });
  }}));

  function getJSON(url) {
    return fetch(url, {credentials: "same-origin"}).then(function (r) {
      return r.json().then(function (body) { return {ok: r.ok, status: r.status, body: body, headers: r.headers}; });
    });
  }

  function loadLayer(key) {
    return getJSON(LAYER_URL[key]).then(function (res) {
      if (!res.ok) { throw new Error(res.body.error || ("HTTP " + res.status)); }
      var feats = geojson.readFeatures(res.body);
      feats.forEach(function (f) { f.set("layer", key); f.set("etag", etagOf(key, f.getId(), f.get("version"))); });
      sources[key].clear();
      sources[key].addFeatures(feats);
      return feats.length;
    });
  }

  function etagOf(key, id, version) { return '"' + key + "-" + id + "-v" + version + '"'; }

  // --- editing state ----------------------------------------------------------------
  var editable = new ol.Collection();   // every feature of the editable layers: shared vertices
  var dirty = {};                        // "layer:id" → feature
  var undoStack = [], redoStack = [];
  var selected = null;

  function keyOf(f) { return f.get("layer") + ":" + f.getId(); }
  function snapshot(features) {
    return features.map(function (f) { return {feature: f, geometry: f.getGeometry().clone(), dirty: !!dirty[keyOf(f)]}; });
  }
  function restore(snaps) {
    return snaps.map(function (s) {
      var now = {feature: s.feature, geometry: s.feature.getGeometry().clone(), dirty: !!dirty[keyOf(s.feature)]};
      s.feature.setGeometry(s.geometry);
      if (s.dirty) { dirty[keyOf(s.feature)] = s.feature; } else { delete dirty[keyOf(s.feature)]; }
      return now;
    });
  }
  function refreshUndo() {
    document.getElementById("btn-undo").disabled = !undoStack.length;
    document.getElementById("btn-redo").disabled = !redoStack.length;
  }
  function pushUndo(features) { undoStack.push(snapshot(features)); redoStack = []; refreshUndo(); }

  var select = new ol.interaction.Select({layers: function (l) { return Object.keys(layers).some(function (k) { return layers[k] === l; }); }, hitTolerance: 4});
  // A plain click must not add a vertex (it would silently change the line): new vertices
  // only with Shift held while dragging a segment.
  var modify = new ol.interaction.Modify({
    features: editable, pixelTolerance: 8, insertVertexCondition: ol.events.condition.shiftKeyOnly,
  });
  map.addInteraction(select);
  map.addInteraction(modify);
  var snaps = Object.keys(sources).map(function (key) {
    var snap = new ol.interaction.Snap({source: sources[key], pixelTolerance: 10});
    map.addInteraction(snap);
    return snap;
  });

  var beforeModify = null;
  modify.on("modifystart", function (e) { beforeModify = snapshot(e.features.getArray()); });
  modify.on("modifyend", function (e) {
    undoStack.push(beforeModify); redoStack = []; refreshUndo();
    e.features.forEach(function (f) {
      // Only features whose geometry really changed are saved.
      var before = beforeModify.filter(function (s) { return s.feature === f; })[0];
      if (!before || JSON.stringify(before.geometry.getCoordinates()) !== JSON.stringify(f.getGeometry().getCoordinates())) {
        dirty[keyOf(f)] = f;
      }
    });
    setStatus("未保存的修改：" + Object.keys(dirty).length + " 个要素");
  });

  document.getElementById("btn-undo").addEventListener("click", function () {
    if (!undoStack.length) { return; }
    redoStack.push(restore(undoStack.pop())); refreshUndo();
    setStatus("已撤销");
  });
  document.getElementById("btn-redo").addEventListener("click", function () {
    if (!redoStack.length) { return; }
    undoStack.push(restore(redoStack.pop())); refreshUndo();
    setStatus("已重做");
  });

  // Vertex delete / split: toggled modes acting on the next click.
  var mode = null;
  function setMode(m) {
    mode = mode === m ? null : m;
    document.getElementById("btn-vertex-delete").setAttribute("aria-pressed", String(mode === "vertex"));
    document.getElementById("btn-split").setAttribute("aria-pressed", String(mode === "split"));
    select.setActive(!mode);
  }
  document.getElementById("btn-vertex-delete").addEventListener("click", function () { setMode("vertex"); });
  document.getElementById("btn-split").addEventListener("click", function () { setMode("split"); });

  // --- drawing new features (point/line/polygon by the picked layer) ----------------------
  // The layer's /form (loaded by layers_addresses.js into window.editorForms) says whether
  // it takes new features; one drawn feature at a time, saved with its attribute form.
  var draw = null;
  var DRAW_TYPE = {point: "Point", line: "LineString", polygon: "Polygon"};
  function stopDraw() {
    if (draw) { map.removeInteraction(draw); draw = null; }
    select.setActive(!mode);
    document.getElementById("btn-draw").setAttribute("aria-pressed", "false");
  }
  document.getElementById("btn-draw").addEventListener("click", function () {
    if (draw) { stopDraw(); setStatus("已取消绘制"); return; }
    var input = document.querySelector("#layer-pick input:checked");
    var key = input.value;
    var info = (window.editorForms || {})[key];
    if (!input.dataset.editable) { setStatus("您没有编辑该图层的权限", true); return; }
    if (!info || !info.can_create) { setStatus((info && info.create_refusal) || "该图层不能直接新建要素", true); return; }
    if (sources[key].getFeatures().some(function (f) { return f.get("isNew"); })) {
      setStatus("请先保存上一个新要素", true); return;
    }
    draw = new ol.interaction.Draw({source: sources[key], type: DRAW_TYPE[info.geometry] || "Point"});
    draw.on("drawend", function (e) {
      var f = e.feature;
      f.set("layer", key); f.set("isNew", true);
      stopDraw();
      select.getFeatures().clear(); select.getFeatures().push(f);
      selected = f;
      document.getElementById("history-panel").hidden = true;
      fillForm(f);
      document.getElementById("attr-title").textContent = "新建" + info.label;
      document.dispatchEvent(new CustomEvent("editor:new", {detail: {layer: key, feature: f}}));
      setStatus("已绘制新" + info.label + "：请填写属性和修改说明后保存");
    });
    select.setActive(false);
    map.addInteraction(draw);
    // Snap after Draw, so that drawn vertices snap to existing features and vertices.
    snaps.forEach(function (sn) { map.removeInteraction(sn); map.addInteraction(sn); });
    document.getElementById("btn-draw").setAttribute("aria-pressed", "true");
    setStatus(info.geometry === "point" ? "在地图上点击放置新" + info.label : "在地图上逐点绘制新" + info.label + "，双击结束");
  });

  function nearestVertex(line, coord) {
    var best = null;
    line.getCoordinates().forEach(function (c, i) {
      var d = Math.pow(c[0] - coord[0], 2) + Math.pow(c[1] - coord[1], 2);
      if (!best || d < best.d) { best = {i: i, d: d}; }
    });
    return best;
  }
  function lineAt(pixel) {
    var hit = null;
    map.forEachFeatureAtPixel(pixel, function (f) { if (f.get("layer") === "boundary-lines") { hit = f; return true; } }, {hitTolerance: 6});
    return hit;
  }
  map.on("singleclick", function (e) {
    if (!mode) { return; }
    var f = lineAt(e.pixel);
    if (!f) { setStatus("请点击一条界线", true); return; }
    var geom = f.getGeometry();  // MultiLineString
    var parts = geom.getLineStrings();
    var found = null;
    parts.forEach(function (p, pi) {
      var v = nearestVertex(p, e.coordinate);
      if (!found || v.d < found.v.d) { found = {pi: pi, v: v}; }
    });
    var coords = parts.map(function (p) { return p.getCoordinates(); });
    var part = coords[found.pi];
    pushUndo([f]);
    if (mode === "vertex") {
      if (part.length <= 2) { setStatus("线段至少保留两个顶点", true); undoStack.pop(); refreshUndo(); return; }
      part.splice(found.v.i, 1);
    } else {
      if (found.v.i === 0 || found.v.i === part.length - 1) { setStatus("请在界线中间的顶点处拆分", true); undoStack.pop(); refreshUndo(); return; }
      coords.splice(found.pi, 1, part.slice(0, found.v.i + 1), part.slice(found.v.i));
    }
    f.setGeometry(new ol.geom.MultiLineString(coords));
    dirty[keyOf(f)] = f;
    setStatus(mode === "vertex" ? "已删除顶点（未保存）" : "已在顶点处拆分为两段（未保存）");
    setMode(mode);
  });

  // --- attributes -------------------------------------------------------------------
  function clearErrors() { form.querySelectorAll("[data-error]").forEach(function (p) { p.textContent = ""; }); }
  function showError(field, message) {
    var layerKey = selected ? selected.get("layer") : "";
    var el = form.querySelector('.ed-field[data-for="' + layerKey + '"] [data-error="' + field + '"]') ||
      form.querySelector('[data-error="' + field + '"]') || form.querySelector('[data-error="comment"]');
    el.textContent = message;
  }
  function fillForm(f) {
    var key = f.get("layer");
    form.querySelectorAll(".ed-field[data-for]").forEach(function (d) { d.hidden = d.dataset.for !== key; });
    attrsOf(key, f).forEach(function (name) { var v = f.get(name); fieldInput(key, name).value = v == null ? "" : v; });
    form.querySelectorAll(".ed-field[data-create-only]").forEach(function (d) { d.hidden = d.hidden || !f.get("isNew"); });
    document.getElementById("attr-title").textContent = f.get("code") || f.get("number") || f.get("place_code") || "";
    document.getElementById("attr-panel").hidden = false;
    clearErrors();
    document.dispatchEvent(new CustomEvent("editor:feature", {detail: {layer: key, properties: f.getProperties()}}));
    showPending(f);
  }
  // Change requests of the feature still waiting for a decision (boundaries, names).
  function showPending(f) {
    var box = document.getElementById("pending-requests");
    box.textContent = "";
    if (f.get("isNew")) { return; }  // a drawn feature has no requests yet
    getJSON(API + "editing/requests?pending=true&layer=" + f.get("layer") + "&target_id=" + f.getId()).then(function (res) {
      if (!res.ok || !res.body.length) { return; }
      var title = document.createElement("p");
      title.textContent = "待审批的变更申请：";
      box.appendChild(title);
      res.body.forEach(function (r) {
        var a = document.createElement("a");
        a.href = "/editor/requests/" + r.id + "/";
        a.textContent = "#" + r.id + " " + r.kind_display + "（" + r.status_display + "，" + r.submitted_by + " 提交）";
        var li = document.createElement("p");
        li.appendChild(a);
        box.appendChild(li);
      });
    });
  }
  select.on("select", function (e) {
    selected = e.selected[0] || null;
    document.getElementById("history-panel").hidden = true;
    historySource.clear();
    if (!selected) { document.getElementById("attr-panel").hidden = true; return; }
    // Attributes need the full record (the list omits some fields); keep the list's version.
    getJSON(featureUrl(selected.get("layer"), selected.getId())).then(function (res) {
      if (res.ok) {
        var props = res.body.properties;
        Object.keys(props).forEach(function (k) { if (k !== "version") { selected.set(k, props[k]); } });
      }
      fillForm(selected);
    });
  });

  function attrChanges(f) {
    var out = {};
    attrsOf(f.get("layer"), f).forEach(function (name) {
      var v = fieldInput(f.get("layer"), name).value;
      var was = f.get(name) == null ? "" : String(f.get(name));
      if (f.get("isNew") ? v !== "" : was !== v) { out[name] = v; }
    });
    return out;
  }

  function buildEdits() {
    var edits = {};
    Object.keys(dirty).forEach(function (k) {
      var f = dirty[k];
      if (f.get("isNew")) { return; }
      edits[k] = {layer: f.get("layer"), id: f.getId(), if_match: f.get("etag"),
        changes: {geometry: geojson.writeGeometryObject(f.getGeometry(), {decimals: 9})}};
    });
    if (selected && selected.get("isNew")) {
      // A drawn feature: no id, no if_match; its geometry and every filled field.
      edits["new"] = {layer: selected.get("layer"), changes: Object.assign(
        {geometry: geojson.writeGeometryObject(selected.getGeometry(), {decimals: 9})}, attrChanges(selected))};
    } else if (selected) {
      var attrs = attrChanges(selected);
      if (Object.keys(attrs).length) {
        var k = keyOf(selected);
        edits[k] = edits[k] || {layer: selected.get("layer"), id: selected.getId(), if_match: selected.get("etag"), changes: {}};
        Object.assign(edits[k].changes, attrs);
      }
    }
    return Object.keys(edits).map(function (k) { return edits[k]; });
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify(body),
    }).then(function (r) { return r.json().then(function (b) { return {ok: r.ok, status: r.status, body: b}; }); });
  }

  var pendingEdits = null;
  function save(edits) {
    clearErrors();
    if (!edits.length) { setStatus("没有需要保存的修改"); return Promise.resolve(); }
    var comment = form.elements.comment.value;
    return post(API + "editing/save", {edits: edits, comment: comment}).then(function (res) {
      if (res.ok) {
        res.body.saved.forEach(function (s) {
          if (s.created) {
            // The drawn feature (one per save) becomes the saved one: id, version, ETag.
            var drawn = sources[s.layer].getFeatures().filter(function (x) { return x.get("isNew"); })[0];
            if (drawn) {
              drawn.setId(s.id); drawn.unset("isNew");
              attrsOf(s.layer, drawn).forEach(function (name) { drawn.set(name, fieldInput(s.layer, name).value); });
              form.querySelectorAll(".ed-field[data-create-only]").forEach(function (d) { d.hidden = true; });
              document.getElementById("attr-title").textContent = "新建要素 #" + s.id;
              getJSON(featureUrl(s.layer, s.id)).then(function (r) {
                if (!r.ok) { return; }
                Object.keys(r.body.properties).forEach(function (k) { drawn.set(k, r.body.properties[k]); });
                if (selected === drawn) { fillForm(drawn); }
              });
            }
          }
          var f = sources[s.layer].getFeatureById(s.id);
          f.set("version", s.version); f.set("etag", s.etag);
          attrsOf(s.layer).forEach(function (name) {
            var e = edits.filter(function (x) { return x.layer === s.layer && x.id === s.id; })[0];
            if (e && name in e.changes) { f.set(name, e.changes[name]); }
          });
        });
        dirty = {}; undoStack = []; redoStack = []; refreshUndo();
        form.elements.comment.value = "";
        var requests = res.body.requests || [];
        if (requests.length) {
          // Not applied yet: the approver decides (the map shows the proposal until reload).
          setStatus((res.body.saved.length ? "已保存 " + res.body.saved.length + " 个要素；" : "") +
            requests.map(function (r) { return r.message; }).join("；"));
          if (selected) { showPending(selected); }
          return;
        }
        setStatus("已保存 " + res.body.saved.length + " 个要素");
        if (!document.getElementById("history-panel").hidden) { showHistory(); }
      } else if (res.status === 412 || (res.status === 409 && res.body.code === "pending_request")) {
        pendingEdits = edits;
        openConflict(res.body);
      } else {
        showError(res.body.field || "comment", res.body.error || ("保存失败：HTTP " + res.status));
        setStatus("保存失败：" + (res.body.error || res.status), true);
      }
    });
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); save(buildEdits()); });

  // --- conflict dialog --------------------------------------------------------------
  var dialog = document.getElementById("conflict-dialog");
  var conflictServer = null;
  function openConflict(body) {
    document.getElementById("conflict-message").textContent = body.error;
    var pending = body.code === "pending_request" ? (body.pending || {}) : null;
    document.getElementById("conflict-server-head").textContent = pending ? "待审批申请 #" + body.request_id : "服务器当前版本";
    var url = featureUrl(body.layer, body.id);
    getJSON(url).then(function (res) {
      conflictServer = {layer: body.layer, id: body.id, etag: res.headers.get("ETag"), feature: res.body};
      var mine = pendingEdits.filter(function (e) { return e.layer === body.layer && e.id === body.id; })[0];
      var rows = document.getElementById("conflict-rows");
      rows.textContent = "";
      var fields = ["version"].concat(attrsOf(body.layer), ["geometry"]);
      fields.forEach(function (name) {
        var tr = document.createElement("tr");
        var server = name === "geometry" ? JSON.stringify(res.body.geometry).slice(0, 80) + "…" : res.body.properties[name];
        if (pending && name !== "version") {
          server = name in pending ? (name === "geometry" ? JSON.stringify(pending.geometry).slice(0, 80) + "…" : pending[name]) : "（未修改）";
        }
        var my = name === "version" ? sources[body.layer].getFeatureById(body.id).get("version")
          : (name in mine.changes ? (name === "geometry" ? JSON.stringify(mine.changes.geometry).slice(0, 80) + "…" : mine.changes[name]) : "（未修改）");
        [name, my, server].forEach(function (v) { var td = document.createElement("td"); td.textContent = v == null ? "" : String(v); tr.appendChild(td); });
        rows.appendChild(tr);
      });
      dialog.showModal();
    });
  }
  document.getElementById("btn-conflict-reload").addEventListener("click", function () {
    dialog.close();
    dirty = {}; undoStack = []; redoStack = []; refreshUndo();
    Promise.all(Object.keys(LAYER_URL).map(loadLayer)).then(function () {
      selected = null; select.getFeatures().clear(); rebuildEditable();
      document.getElementById("attr-panel").hidden = true;
      setStatus("已载入最新版本，您的修改已放弃");
    });
  });
  document.getElementById("btn-conflict-reapply").addEventListener("click", function () {
    dialog.close();
    var s = conflictServer;
    var f = sources[s.layer].getFeatureById(s.id);
    f.set("etag", s.etag); f.set("version", s.feature.properties.version);
    pendingEdits.forEach(function (e) { if (e.layer === s.layer && e.id === s.id) { e.if_match = s.etag; } });
    save(pendingEdits);
  });

  // --- history ------------------------------------------------------------------------
  function showHistory() {
    if (!selected) { return; }
    var list = document.getElementById("history-list");
    getJSON(API + "editing/" + selected.get("layer") + "/" + selected.getId() + "/history").then(function (res) {
      document.getElementById("history-panel").hidden = false;
      list.textContent = "";
      if (!res.ok) { list.textContent = res.body.error; return; }
      res.body.timeline.slice().reverse().forEach(function (entry, i) {
        var li = document.createElement("li");
        var when = new Date(entry.at).toLocaleString("zh-CN");
        li.textContent = "v" + entry.version + " " + entry.action_label + " · " + when + " · " +
          (entry.username || "系统") + (entry.comment ? " · " + entry.comment : "");
        li.addEventListener("click", function () { showDiff(entry, li); });
        list.appendChild(li);
        if (i === 0) { showDiff(entry, li); }
      });
    });
  }
  function showDiff(entry, li) {
    document.querySelectorAll("#history-list li").forEach(function (x) { x.classList.remove("current"); });
    li.classList.add("current");
    var box = document.getElementById("history-diff");
    box.textContent = "";
    var table = document.createElement("table");
    table.className = "ed-table";
    var head = document.createElement("tr");
    ["字段", "修改前", "修改后"].forEach(function (t) { var th = document.createElement("th"); th.textContent = t; head.appendChild(th); });
    table.appendChild(head);
    Object.keys(entry.changed).forEach(function (name) {
      var tr = document.createElement("tr");
      [name, entry.changed[name].before, entry.changed[name].after].forEach(function (v) {
        var td = document.createElement("td"); td.textContent = v == null ? "" : String(v); tr.appendChild(td);
      });
      table.appendChild(tr);
    });
    historySource.clear();
    if (entry.geometry) {
      var tr = document.createElement("tr");
      var shift = entry.geometry.max_shift_m == null ? "" : "，最大位移 " + entry.geometry.max_shift_m + " m";
      ["几何", entry.geometry.vertices_before + " 个顶点", entry.geometry.vertices_after + " 个顶点" + shift].forEach(function (v) {
        var td = document.createElement("td"); td.textContent = v; tr.appendChild(td);
      });
      table.appendChild(tr);
      ["before", "after"].forEach(function (which) {
        if (entry.geometry[which]) {
          var g = geojson.readGeometry(entry.geometry[which]);
          historySource.addFeature(new ol.Feature({geometry: g, which: which}));
        }
      });
    }
    box.appendChild(table);
  }
  document.getElementById("btn-history").addEventListener("click", showHistory);

  // --- start ------------------------------------------------------------------------
  // The picked layer is the one modified; with 联动编辑 every editable layer is, so that a
  // vertex shared by a line and a marker moves both (Modify drags all coincident vertices).
  function rebuildEditable() {
    editable.clear();
    var linked = document.getElementById("link-edit").checked;
    document.querySelectorAll("#layer-pick input[data-editable]").forEach(function (input) {
      if (sources[input.value] && (linked || input.checked)) { editable.extend(sources[input.value].getFeatures()); }
    });
    var picked = document.querySelector("#layer-pick input:checked").value;
    Object.keys(layers).forEach(function (k) { layers[k].setOpacity(k === picked ? 1 : 0.6); });
    form.dataset.layer = picked;
  }
  document.querySelectorAll("#layer-pick input, #link-edit").forEach(function (input) {
    input.addEventListener("change", rebuildEditable);
  });

  window.editor = {map: map, sources: sources, dirty: function () { return dirty; }, select: select, modify: modify,
    selected: function () { return selected; },
    undo: function () { document.getElementById("btn-undo").click(); }};

  Promise.all([
    getJSON(API + "areas?level=county&has_geometry=true").then(function (res) { if (res.ok) { areaSource.addFeatures(geojson.readFeatures(res.body)); } }),
  ].concat(Object.keys(LAYER_URL).map(loadLayer))).then(function (counts) {
    rebuildEditable();
    var extent = sources["boundary-lines"].getExtent();
    if (sources["boundary-lines"].getFeatures().length) { map.getView().fit(extent, {padding: [30, 30, 30, 30]}); }
    setStatus("已加载 " + counts[1] + " 条界线、" + counts[2] + " 个界桩、" + counts[3] + " 个地名；本区县 " +
      sources["streets"].getFeatures().length + " 条街路巷、" + sources["street-signs"].getFeatures().length + " 块路牌、" +
      sources["door-plates"].getFeatures().length + " 块门牌、" + sources["facilities"].getFeatures().length + " 处民政设施");
    mapEl.dataset.ready = "1";
  }).catch(function (err) { setStatus("加载失败：" + err.message, true); });
})();
