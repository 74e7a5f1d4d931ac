/* Officers' map editor, part 3 of 5: the attribute form of the selected feature, its pending
   change requests, and saving — every changed feature in one request, each with the ETag of
   the version it was edited on (If-Match); a stale one (412) or a feature with a pending
   request (409) opens the conflict dialog. See editor_map.js for the parts and their order. */
"use strict";
(function () {
  var ed = window.editor;
  var API = ed.API, form = ed.form, sources = ed.sources, state = ed.state, setStatus = ed.setStatus;
  var geojson = ed.geojson, featureUrl = ed.featureUrl, request = ed.request, keyOf = ed.keyOf;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
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

  // --- the form -----------------------------------------------------------------------
  function clearErrors() { form.querySelectorAll("[data-error]").forEach(function (p) { p.textContent = ""; }); }
  function showError(field, message) {
    var layerKey = state.selected ? state.selected.get("layer") : "";
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
    request(API + "editing/requests", {params: {pending: "true", layer: f.get("layer"), target_id: f.getId()}}).then(function (res) {
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
  ed.select.on("select", function (e) {
    var selected = state.selected = e.selected[0] || null;
    document.getElementById("history-panel").hidden = true;
    ed.historySource.clear();
    if (!selected) { document.getElementById("attr-panel").hidden = true; return; }
    // Attributes need the full record (the list omits some fields); keep the list's version.
    request(featureUrl(selected.get("layer"), selected.getId())).then(function (res) {
      if (res.ok) {
        var props = res.body.properties;
        Object.keys(props).forEach(function (k) { if (k !== "version") { selected.set(k, props[k]); } });
      }
      fillForm(selected);
    });
  });

  // --- what is saved ----------------------------------------------------------------------
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
    var selected = state.selected;
    Object.keys(state.dirty).forEach(function (k) {
      var f = state.dirty[k];
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

  // --- save -----------------------------------------------------------------------------
  // The drawn feature (one per save) becomes the saved one: id, version, ETag.
  function adoptCreated(s) {
    var drawn = sources[s.layer].getFeatures().filter(function (x) { return x.get("isNew"); })[0];
    if (!drawn) { return; }
    drawn.setId(s.id); drawn.unset("isNew");
    attrsOf(s.layer, drawn).forEach(function (name) { drawn.set(name, fieldInput(s.layer, name).value); });
    form.querySelectorAll(".ed-field[data-create-only]").forEach(function (d) { d.hidden = true; });
    document.getElementById("attr-title").textContent = "新建要素 #" + s.id;
    request(featureUrl(s.layer, s.id)).then(function (r) {
      if (!r.ok) { return; }
      Object.keys(r.body.properties).forEach(function (k) { drawn.set(k, r.body.properties[k]); });
      if (state.selected === drawn) { fillForm(drawn); }
    });
  }

  var pendingEdits = null;
  function save(edits) {
    clearErrors();
    if (!edits.length) { setStatus("没有需要保存的修改"); return Promise.resolve(); }
    var comment = form.elements.comment.value;
    return request(API + "editing/save", {method: "POST", csrf: csrf, json: {edits: edits, comment: comment}}).then(function (res) {
      var body = res.body || {};
      if (res.ok) {
        body.saved.forEach(function (s) {
          if (s.created) { adoptCreated(s); }
          var f = sources[s.layer].getFeatureById(s.id);
          f.set("version", s.version); f.set("etag", s.etag);
          attrsOf(s.layer).forEach(function (name) {
            var e = edits.filter(function (x) { return x.layer === s.layer && x.id === s.id; })[0];
            if (e && name in e.changes) { f.set(name, e.changes[name]); }
          });
        });
        ed.clearEdits();
        form.elements.comment.value = "";
        var requests = body.requests || [];
        if (requests.length) {
          // Not applied yet: the approver decides (the map shows the proposal until reload).
          setStatus((body.saved.length ? "已保存 " + body.saved.length + " 个要素；" : "") +
            requests.map(function (r) { return r.message; }).join("；"));
          if (state.selected) { showPending(state.selected); }
          return;
        }
        setStatus("已保存 " + body.saved.length + " 个要素");
        if (!document.getElementById("history-panel").hidden) { ed.showHistory(); }
      } else if (res.status === 412 || (res.status === 409 && body.code === "pending_request")) {
        pendingEdits = edits;
        openConflict(body);
      } else {
        showError(body.field || "comment", res.error);
        setStatus("保存失败：" + res.error, true);
      }
    }).catch(function (err) { setStatus("保存失败：" + err.message, true); });
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); save(buildEdits()); });

  // --- conflict dialog --------------------------------------------------------------
  var dialog = document.getElementById("conflict-dialog");
  var conflictServer = null;
  function shortGeometry(g) { return JSON.stringify(g).slice(0, 80) + "…"; }
  function openConflict(body) {
    document.getElementById("conflict-message").textContent = body.error;
    var pending = body.code === "pending_request" ? (body.pending || {}) : null;
    document.getElementById("conflict-server-head").textContent = pending ? "待审批申请 #" + body.request_id : "服务器当前版本";
    request(featureUrl(body.layer, body.id)).then(function (res) {
      conflictServer = {layer: body.layer, id: body.id, etag: res.headers.get("ETag"), feature: res.body};
      var mine = pendingEdits.filter(function (e) { return e.layer === body.layer && e.id === body.id; })[0];
      var rows = document.getElementById("conflict-rows");
      rows.textContent = "";
      var fields = ["version"].concat(attrsOf(body.layer), ["geometry"]);
      fields.forEach(function (name) {
        var tr = document.createElement("tr");
        var server = name === "geometry" ? shortGeometry(res.body.geometry) : res.body.properties[name];
        if (pending && name !== "version") {
          server = name in pending ? (name === "geometry" ? shortGeometry(pending.geometry) : pending[name]) : "（未修改）";
        }
        var my = name === "version" ? sources[body.layer].getFeatureById(body.id).get("version")
          : (name in mine.changes ? (name === "geometry" ? shortGeometry(mine.changes.geometry) : mine.changes[name]) : "（未修改）");
        [name, my, server].forEach(function (v) { var td = document.createElement("td"); td.textContent = v == null ? "" : String(v); tr.appendChild(td); });
        rows.appendChild(tr);
      });
      dialog.showModal();
    });
  }
  document.getElementById("btn-conflict-reload").addEventListener("click", function () {
    dialog.close();
    ed.clearEdits();
    Promise.all(Object.keys(ed.LAYER_URL).map(ed.loadLayer)).then(function () {
      state.selected = null; ed.select.getFeatures().clear(); ed.rebuildEditable();
      document.getElementById("attr-panel").hidden = true;
      setStatus("已载入最新版本，您的修改已放弃");
    }).catch(function (err) { setStatus("重新载入失败：" + err.message, true); });
  });
  document.getElementById("btn-conflict-reapply").addEventListener("click", function () {
    dialog.close();
    var s = conflictServer;
    var f = sources[s.layer].getFeatureById(s.id);
    f.set("etag", s.etag); f.set("version", s.feature.properties.version);
    pendingEdits.forEach(function (e) { if (e.layer === s.layer && e.id === s.id) { e.if_match = s.etag; } });
    save(pendingEdits);
  });

  Object.assign(ed, {attrsOf: attrsOf, fieldInput: fieldInput, fillForm: fillForm});
})();
