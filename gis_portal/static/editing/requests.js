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
  var setMessage = HegangMap.statusLine(messageEl);

  function say(text, isError) {
    setMessage(text, isError);
    if (isError) { messageEl.scrollIntoView({block: "center"}); }
  }

  function errorText(res) {
    if (res.status === 409 && res.body && res.body.code === "version_conflict") {
      return "冲突：" + res.error;
    }
    return res.error;
  }

  // --- map --------------------------------------------------------------------------
  var geojson = HegangMap.geojson;
  var source = new ol.source.Vector();
  function beforeAfterStyle(f) {
    var before = f.get("which") === "before";
    var color = before ? "#777" : "#1a7f37";
    return new ol.style.Style({
      stroke: new ol.style.Stroke({color: color, width: before ? 2 : 3, lineDash: before ? [6, 4] : undefined}),
      fill: new ol.style.Fill({color: before ? "rgba(120,120,120,0.08)" : "rgba(26,127,55,0.15)"}),
      image: new ol.style.Circle({radius: 6, stroke: new ol.style.Stroke({color: color, width: 2}),
        fill: new ol.style.Fill({color: before ? "rgba(255,255,255,0.6)" : "rgba(26,127,55,0.4)"})}),
    });
  }
  var map = HegangMap.createMap("rq-map", {maxZoom: 20, layers: [new ol.layer.Vector({source: source, style: beforeAfterStyle})]});

  function addGeometry(geometry, which) {
    if (!geometry) { return; }
    var f = new ol.Feature(geojson.readGeometry(geometry));
    f.set("which", which);
    source.addFeature(f);
  }

  HegangMap.request(API).then(function (res) {
    if (!res.ok) { say(errorText(res), true); return; }
    addGeometry(res.body.current && res.body.current.geometry, "before");
    addGeometry(res.body.proposed_geometry, "after");
    if (source.getFeatures().length) {
      map.getView().fit(source.getExtent(), {padding: [30, 30, 30, 30], maxZoom: 17});
    }
    page.dataset.loaded = "1";
  }).catch(function (err) { say(err.message, true); });

  // --- decisions --------------------------------------------------------------------
  function post(action, body) {
    say("正在提交…");
    return HegangMap.request(API + "/" + action, {method: "POST", json: body || {}}).then(function (res) {
      if (res.ok) {
        say("已完成：" + res.body.status_display);
        window.location.reload();
      } else {
        say(errorText(res), true);
      }
    }).catch(function (err) { say(err.message, true); });
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
      HegangMap.request(API + "/documents", {method: "POST", body: data}).then(function (res) {
        if (res.ok) { window.location.reload(); } else { say(errorText(res), true); }
      }).catch(function (err) { say(err.message, true); });
    });
  }
})();
