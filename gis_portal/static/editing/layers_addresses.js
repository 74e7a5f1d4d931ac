/* The editor's attribute fields of streets, street signs, door plates and facilities, built
   from /api/v1/editing/<layer>/form (labels, types, choices, limits — the server's own
   rules). A new sign or door plate is attached to the nearest street of the county; a new
   door plate gets the number the street's numbering rule proposes. Also records, for the
   draw tool, which layers take new features (window.editorForms). No inline script. */
"use strict";
(function () {
  var box = document.getElementById("layer-fields");
  if (!box) { return; }
  var API = box.dataset.api;
  var OWN = ["streets", "street-signs", "door-plates", "facilities"];
  var forms = window.editorForms = window.editorForms || {};

  var demo = document.createElement("p");
  demo.className = "hint ed-demo-note";
  demo.hidden = true;
  var badge = document.createElement("span");
  badge.className = "demo-badge";
  badge.textContent = "演示数据";
  demo.appendChild(badge);
  demo.appendChild(document.createTextNode(" 该要素为生成的演示数据，不是实测成果"));
  box.appendChild(demo);

  function option(select, value, label) {
    var o = document.createElement("option");
    o.value = value; o.textContent = label;
    select.appendChild(o);
  }

  function fieldFor(key, field) {
    var wrap = document.createElement("div");
    wrap.className = "ed-field";
    wrap.dataset.for = key;
    wrap.hidden = true;
    var id = "f-" + key + "-" + field.name;
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = field.label + (field.required ? "（必填）" : "");
    var input;
    if (field.type === "choice" || field.name === "street_id") {
      input = document.createElement("select");
      option(input, "", "（请选择）");
      (field.choices || []).forEach(function (c) { option(input, c[0], c[1]); });
    } else {
      input = document.createElement("input");
      input.type = {date: "date", number: "number"}[field.type] || "text";
      if (field.max_length) { input.maxLength = field.max_length; }
      if (field.type === "number") {
        input.min = field.min; input.max = field.max; input.step = field.integer ? "1" : "any";
      }
    }
    input.id = id;
    input.name = key + "." + field.name;  // unique in the form; the API name is data-attr
    input.dataset.attr = field.name;
    if (field.create_only) {
      wrap.setAttribute("data-create-only", "");
      input.setAttribute("data-create-only", "");
    }
    var error = document.createElement("p");
    error.className = "ed-error";
    error.dataset.error = field.name;
    wrap.appendChild(label);
    wrap.appendChild(input);
    if (key === "door-plates" && field.name === "number") {
      var hint = document.createElement("p");
      hint.className = "hint";
      hint.id = "plate-proposal";
      hint.setAttribute("aria-live", "polite");
      wrap.appendChild(hint);
    }
    wrap.appendChild(error);
    return wrap;
  }

  function loadForm(key) {
    // A layer whose form is refused (no role) simply has no fields and cannot be drawn.
    return HegangMap.request(API + "editing/" + key + "/form").then(function (res) {
      if (!res.ok) { return; }
      var info = res.body;
      forms[key] = info;
      document.dispatchEvent(new CustomEvent("editor:form", {detail: {layer: key, info: info}}));
      if (OWN.indexOf(key) >= 0) {
        info.fields.forEach(function (field) { box.insertBefore(fieldFor(key, field), demo); });
      }
    });
  }
  document.querySelectorAll("#layer-pick input").forEach(function (input) { loadForm(input.value); });

  function input(key, name) {
    return box.querySelector('.ed-field[data-for="' + key + '"] [data-attr="' + name + '"]');
  }

  document.addEventListener("editor:feature", function (e) {
    demo.hidden = !(OWN.indexOf(e.detail.layer) >= 0 && e.detail.properties.is_demo);
    var hint = document.getElementById("plate-proposal");
    if (hint) { hint.textContent = ""; }
  });

  // --- new signs and door plates: the street, and the proposed number --------------------
  function lonLat(feature) {
    return ol.proj.toLonLat(feature.getGeometry().getCoordinates());
  }
  function propose(feature) {
    var street = input("door-plates", "street_id").value;
    var hint = document.getElementById("plate-proposal");
    if (!street) { hint.textContent = "请选择所属街路巷"; return Promise.resolve(); }
    var ll = lonLat(feature);
    var url = API + "addresses/streets/" + street + "/propose";
    return HegangMap.request(url, {params: {lon: ll[0].toFixed(8), lat: ll[1].toFixed(8)}}).then(function (res) {
      if (!res.ok) {
        hint.textContent = "无法按编号规则建议门牌号：" + res.error;
        return;
      }
      input("door-plates", "number").value = res.body.number;
      input("door-plates", "sub_number").value = res.body.sub_number;
      hint.textContent = "按该街编号规则建议：" + res.body.text + "（" + res.body.reason + "）";
    }).catch(function (err) { hint.textContent = "无法按编号规则建议门牌号：" + err.message; });
  }

  document.addEventListener("editor:new", function (e) {
    var key = e.detail.layer, feature = e.detail.feature;
    demo.hidden = true;
    if (key !== "door-plates" && key !== "street-signs") { return; }
    var streets = window.editor.sources["streets"];
    var select = input(key, "street_id");
    select.textContent = "";
    option(select, "", "（请选择）");
    streets.getFeatures().slice().sort(function (a, b) {
      return String(a.get("name")).localeCompare(String(b.get("name")), "zh");
    }).forEach(function (s) { option(select, s.getId(), s.get("name")); });
    var nearest = streets.getClosestFeatureToCoordinate(feature.getGeometry().getCoordinates());
    if (nearest) { select.value = String(nearest.getId()); }
    if (key === "door-plates") {
      feature.set("proposing", true);
      propose(feature).then(function () { feature.unset("proposing"); });
    }
  });

  box.addEventListener("change", function (e) {
    if (e.target.dataset.attr !== "street_id" || e.target.name !== "door-plates.street_id") { return; }
    var selected = window.editor.selected();
    if (selected && selected.get("isNew")) { propose(selected); }
  });
})();
