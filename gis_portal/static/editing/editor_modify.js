/* Officers' map editor, part 2 of 5: the editing state and the map interactions — undo/redo,
   select, modify with snapping, vertex delete and line split, drawing new features, and
   which features the modify tool moves. See editor_map.js for the parts and their order. */
"use strict";
(function () {
  var ed = window.editor;
  var map = ed.map, sources = ed.sources, layers = ed.layers, state = ed.state, setStatus = ed.setStatus;

  // --- undo / redo --------------------------------------------------------------------
  function keyOf(f) { return f.get("layer") + ":" + f.getId(); }
  function snapshot(features) {
    return features.map(function (f) { return {feature: f, geometry: f.getGeometry().clone(), dirty: !!state.dirty[keyOf(f)]}; });
  }
  function restore(snaps) {
    return snaps.map(function (s) {
      var now = {feature: s.feature, geometry: s.feature.getGeometry().clone(), dirty: !!state.dirty[keyOf(s.feature)]};
      s.feature.setGeometry(s.geometry);
      if (s.dirty) { state.dirty[keyOf(s.feature)] = s.feature; } else { delete state.dirty[keyOf(s.feature)]; }
      return now;
    });
  }
  function refreshUndo() {
    document.getElementById("btn-undo").disabled = !state.undo.length;
    document.getElementById("btn-redo").disabled = !state.redo.length;
  }
  function pushUndo(features) { state.undo.push(snapshot(features)); state.redo = []; refreshUndo(); }
  // After a save or a reload: nothing is changed, nothing to undo.
  function clearEdits() { state.dirty = {}; state.undo = []; state.redo = []; refreshUndo(); }

  document.getElementById("btn-undo").addEventListener("click", function () {
    if (!state.undo.length) { return; }
    state.redo.push(restore(state.undo.pop())); refreshUndo();
    setStatus("已撤销");
  });
  document.getElementById("btn-redo").addEventListener("click", function () {
    if (!state.redo.length) { return; }
    state.undo.push(restore(state.redo.pop())); refreshUndo();
    setStatus("已重做");
  });

  // --- select, modify, snap -------------------------------------------------------------
  var editable = new ol.Collection();   // every feature of the editable layers: shared vertices
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
  // Ctrl held: no snapping, for a nudge next to another feature's vertex.
  function snapping(on) { snaps.forEach(function (sn) { sn.setActive(on); }); }
  document.addEventListener("keydown", function (e) { if (e.key === "Control") { snapping(false); } });
  document.addEventListener("keyup", function (e) { if (e.key === "Control") { snapping(true); } });
  window.addEventListener("blur", function () { snapping(true); });

  // A dragged feature must not snap to itself: a nudge of a few pixels would land back on
  // its own old position (a silent snap back). During the drag it is out of the snap index
  // of its layer; other features and vertices still attract it.
  var unsnapped = [];
  function snapOf(f) { return snaps[Object.keys(sources).indexOf(f.get("layer"))]; }
  // A move under one screen pixel (or 1 cm) is no move: it cannot be seen or meant (a
  // release snapped back onto the feature's old place leaves such a remainder).
  function minMoveMetres(geometry) {
    var view = map.getView();
    var at = points(geometry.getCoordinates(), [])[0];
    return Math.max(0.01, ol.proj.getPointResolution(view.getProjection(), view.getResolution(), at, "m"));
  }
  function points(coords, out) {
    if (typeof coords[0] === "number") { out.push(coords); } else { coords.forEach(function (c) { points(c, out); }); }
    return out;
  }
  // The largest distance (metres, on the sphere) any vertex moved; Infinity if vertices
  // were added or removed.
  function movedMetres(before, after) {
    var a = points(before.getCoordinates(), []), b = points(after.getCoordinates(), []);
    if (a.length !== b.length) { return Infinity; }
    var most = 0;
    a.forEach(function (p, i) {
      var q = b[i];
      if (p[0] !== q[0] || p[1] !== q[1]) { most = Math.max(most, ol.sphere.getDistance(ol.proj.toLonLat(p), ol.proj.toLonLat(q))); }
    });
    return most;
  }

  var beforeModify = null;
  modify.on("modifystart", function (e) {
    beforeModify = snapshot(e.features.getArray());
    unsnapped = e.features.getArray().slice();
    unsnapped.forEach(function (f) { var sn = snapOf(f); if (sn) { sn.removeFeature(f); } });
  });
  modify.on("modifyend", function (e) {
    unsnapped.forEach(function (f) { var sn = snapOf(f); if (sn) { sn.addFeature(f); } });
    unsnapped = [];
    var moved = 0, changed = 0;
    e.features.forEach(function (f) {
      // Only features whose geometry really changed are saved.
      var before = beforeModify.filter(function (s) { return s.feature === f; })[0];
      var m = before ? movedMetres(before.geometry, f.getGeometry()) : Infinity;
      if (m >= minMoveMetres(f.getGeometry())) {
        state.dirty[keyOf(f)] = f;
        changed += 1;
        moved = Math.max(moved, m);
      } else if (before) {
        f.setGeometry(before.geometry.clone());  // rounding noise: exactly as it was
      }
    });
    if (!changed) {
      // Said, never silent: a click or a move too small to change anything.
      setStatus("位置未改变：移动不足 1 个像素，或松开时吸附回了原处（吸附范围 10 像素）。" +
        "微调时请放大地图再拖动，或按住 Ctrl 拖动（暂停吸附）", true);
      return;
    }
    state.undo.push(beforeModify); state.redo = []; refreshUndo();
    var distance = moved === Infinity ? "" : "（移动 " + (moved < 1 ? moved.toFixed(2) : moved.toFixed(1)) + " 米）";
    setStatus("未保存的修改：" + Object.keys(state.dirty).length + " 个要素" + distance);
  });

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
    ed.form.dataset.layer = picked;
    // The shape choice only for a layer that takes points, lines and polygons.
    var pickedInput = document.querySelector("#layer-pick input:checked");
    document.getElementById("draw-shape-field").hidden = pickedInput.dataset.geometry !== "any";
  }

  // --- vertex delete / split: toggled modes acting on the next click ------------------------
  var mode = null;
  function setMode(m) {
    mode = mode === m ? null : m;
    document.getElementById("btn-vertex-delete").setAttribute("aria-pressed", String(mode === "vertex"));
    document.getElementById("btn-split").setAttribute("aria-pressed", String(mode === "split"));
    select.setActive(!mode);
  }
  document.getElementById("btn-vertex-delete").addEventListener("click", function () { setMode("vertex"); });
  document.getElementById("btn-split").addEventListener("click", function () { setMode("split"); });

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
  // A refused vertex operation leaves no undo step behind.
  function refuse(message) { setStatus(message, true); state.undo.pop(); refreshUndo(); }
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
      if (part.length <= 2) { refuse("线段至少保留两个顶点"); return; }
      part.splice(found.v.i, 1);
    } else {
      if (found.v.i === 0 || found.v.i === part.length - 1) { refuse("请在界线中间的顶点处拆分"); return; }
      coords.splice(found.pi, 1, part.slice(0, found.v.i + 1), part.slice(found.v.i));
    }
    f.setGeometry(new ol.geom.MultiLineString(coords));
    state.dirty[keyOf(f)] = f;
    setStatus(mode === "vertex" ? "已删除顶点（未保存）" : "已在顶点处拆分为两段（未保存）");
    setMode(mode);
  });

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
    // A layer of mixed geometry (place names) draws the shape picked beside the button.
    var shape = info.geometry === "any" ? document.getElementById("draw-shape").value : info.geometry;
    draw = new ol.interaction.Draw({source: sources[key], type: DRAW_TYPE[shape] || "Point"});
    draw.on("drawend", function (e) {
      var f = e.feature;
      f.set("layer", key); f.set("isNew", true);
      stopDraw();
      select.getFeatures().clear(); select.getFeatures().push(f);
      state.selected = f;
      document.getElementById("history-panel").hidden = true;
      ed.fillForm(f);
      document.getElementById("attr-title").textContent = "新建" + info.label;
      document.dispatchEvent(new CustomEvent("editor:new", {detail: {layer: key, feature: f}}));
      setStatus("已绘制新" + info.label + "：请填写属性和修改说明后保存");
    });
    select.setActive(false);
    map.addInteraction(draw);
    // Snap after Draw, so that drawn vertices snap to existing features and vertices.
    snaps.forEach(function (sn) { map.removeInteraction(sn); map.addInteraction(sn); });
    document.getElementById("btn-draw").setAttribute("aria-pressed", "true");
    setStatus(shape === "point" ? "在地图上点击放置新" + info.label
      : "在地图上逐点点击绘制新" + info.label + (shape === "polygon" ? "（面）" : "（线）") + "，双击结束");
  });

  Object.assign(ed, {
    keyOf: keyOf,
    refreshUndo: refreshUndo,
    clearEdits: clearEdits,
    rebuildEditable: rebuildEditable,
    select: select,
    modify: modify,
    undo: function () { document.getElementById("btn-undo").click(); },
  });
})();
