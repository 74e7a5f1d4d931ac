/* Change request page: the proposal on a small map (current geometry dashed grey, the
   proposed one green), document upload, and the approver's review / approve / reject /
   publish buttons. Everything goes through the JSON API; its Chinese errors (409 conflict,
   already decided, missing documents) are shown as they come. No inline script. */
"use strict";
(function () {
  var page = document.getElementById("request-page");
  if (!page) { return; }
  var API = page.dataset.api;
  var messageEl = document.getElementById("rq-message");
  var tokenInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = tokenInput ? tokenInput.value : "";

  function say(text, isError) {
    messageEl.textContent = text;
    messageEl.classList.toggle("error", !!isError);
    if (isError) { messageEl.scrollIntoView({block: "center"}); }
  }

  function errorText(status, body) {
    var text = (body && body.error) || ("HTTP " + status);
    if (status === 409 && body && body.code === "version_conflict") {
      return "冲突：" + text;
    }
    return text;
  }

  // --- map --------------------------------------------------------------------------
  var geojson = new ol.format.GeoJSON({dataProjection: "EPSG:4326", featureProjection: "EPSG:3857"});
  var source = new ol.source.Vector();
  var map = new ol.Map({
    target: "rq-map",
    layers: [new ol.layer.Vector({source: source, style: function (f) {
      var before = f.get("which") === "before";
      var color = before ? "#777" : "#1a7f37";
      return new ol.style.Style({
        stroke: new ol.style.Stroke({color: color, width: before ? 2 : 3, lineDash: before ? [6, 4] : undefined}),
        fill: new ol.style.Fill({color: before ? "rgba(120,120,120,0.08)" : "rgba(26,127,55,0.15)"}),
        image: new ol.style.Circle({radius: 6, stroke: new ol.style.Stroke({color: color, width: 2}),
          fill: new ol.style.Fill({color: before ? "rgba(255,255,255,0.6)" : "rgba(26,127,55,0.4)"})}),
      });
    }})],
    view: new ol.View({center: ol.proj.fromLonLat([130.3, 47.35]), zoom: 9, maxZoom: 20}),
    controls: ol.control.defaults.defaults({attribution: false}).extend([new ol.control.ScaleLine()]),
  });

  function addGeometry(geometry, which) {
    if (!geometry) { return; }
    var f = new ol.Feature(geojson.readGeometry(geometry));
    f.set("which", which);
    source.addFeature(f);
  }

  fetch(API, {credentials: "same-origin"}).then(function (r) {
    return r.json().then(function (body) { return {ok: r.ok, status: r.status, body: body}; });
  }).then(function (res) {
    if (!res.ok) { say(errorText(res.status, res.body), true); return; }
    addGeometry(res.body.current && res.body.current.geometry, "before");
    addGeometry(res.body.proposed_geometry, "after");
    if (source.getFeatures().length) {
      map.getView().fit(source.getExtent(), {padding: [30, 30, 30, 30], maxZoom: 17});
    }
    page.dataset.loaded = "1";
  });

  // --- decisions --------------------------------------------------------------------
  function post(action, body) {
    say("正在提交…");
    return fetch(API + "/" + action, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify(body || {}),
    }).then(function (r) {
      return r.json().then(function (b) { return {ok: r.ok, status: r.status, body: b}; });
    }).then(function (res) {
      if (res.ok) {
        say("已完成：" + res.body.status_display);
        window.location.reload();
      } else {
        say(errorText(res.status, res.body), true);
      }
    });
  }

  function on(id, handler) {
    var el = document.getElementById(id);
    if (el) { el.addEventListener("click", handler); }
  }
  on("btn-review", function () { post("review"); });
  on("btn-approve", function () {
    post("approve", {
      approving_authority: document.getElementById("approving-authority").value,
      note: document.getElementById("approve-note").value,
    });
  });
  on("btn-reject", function () {
    post("reject", {note: document.getElementById("reject-note").value});
  });
  on("btn-publish", function () { post("publish"); });

  // --- documents --------------------------------------------------------------------
  var upload = document.getElementById("rq-upload");
  if (upload) {
    upload.addEventListener("submit", function (e) {
      e.preventDefault();
      var data = new FormData(upload);
      if (!upload.elements.file.files.length) { say("请选择要上传的文件", true); return; }
      say("正在上传…");
      fetch(API + "/documents", {
        method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": csrf}, body: data,
      }).then(function (r) {
        return r.json().then(function (b) { return {ok: r.ok, status: r.status, body: b}; });
      }).then(function (res) {
        if (res.ok) { window.location.reload(); } else { say(errorText(res.status, res.body), true); }
      });
    });
  }
})();
