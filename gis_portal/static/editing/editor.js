/* Officers' map editor, part 5 of 5: start — the picked layer (and 联动编辑) decide what the
   modify tool moves; then every layer of the county is loaded and the map fitted to the
   county (区县, chosen from the officer's scope: another county reloads the page with
   ?county=). See editor_map.js for the parts and their order. */
"use strict";
(function () {
  var ed = window.editor;
  var sources = ed.sources;

  document.querySelectorAll("#layer-pick input, #link-edit").forEach(function (input) {
    input.addEventListener("change", ed.rebuildEditable);
  });

  // Another county: the page loads it (every layer is loaded by county). Unsaved edits
  // would be lost: the officer saves or undoes them first.
  var countyPick = document.getElementById("county-pick");
  countyPick.addEventListener("change", function () {
    if (Object.keys(ed.dirty()).length) {
      countyPick.value = ed.mapEl.dataset.county;
      ed.setStatus("有未保存的修改：请先保存或撤销，再切换区县", true);
      return;
    }
    var url = new URL(window.location.href);
    url.searchParams.set("county", countyPick.value);
    window.location.assign(url.toString());
  });
  var refusal = document.getElementById("county-refusal");

  // The county outlines are orientation only: the editor works without them, and says so.
  var backdropNote = "";
  var backdrop = ed.counties.loaded.catch(function (err) { backdropNote = "；区县底图未能加载：" + err.message; });
  var keys = Object.keys(ed.LAYER_URL);

  // ?layer=&feature= (e.g. from the missing-signs list): select that feature and centre on it.
  function openOnFocus() {
    var layer = ed.mapEl.dataset.focusLayer, id = ed.mapEl.dataset.focusId;
    if (!layer || !id || !sources[layer]) { return ""; }
    var feature = sources[layer].getFeatureById(id) || sources[layer].getFeatureById(Number(id));
    if (!feature) { return "；要打开的要素不在本区县已加载的数据中（可能还没有坐标）"; }
    ed.map.getView().fit(feature.getGeometry().getExtent(), {maxZoom: 17, padding: [80, 80, 80, 80]});
    ed.select.getFeatures().clear();
    ed.select.getFeatures().push(feature);
    ed.select.dispatchEvent({type: "select", selected: [feature], deselected: []});
    return "；已打开：" + (feature.get("standard_name") || feature.get("name") || "所选要素");
  }
  Promise.all([backdrop].concat(keys.map(ed.loadLayer))).then(function (results) {
    var counts = {};
    keys.forEach(function (key, i) { counts[key] = results[i + 1]; });
    ed.rebuildEditable();
    // Open on the county: its outline, else what was loaded of it.
    var county = ed.counties.getSource().getFeatures().filter(function (f) {
      return f.get("code") === ed.mapEl.dataset.county;
    })[0];
    var extent = ol.extent.createEmpty();
    if (county) { ol.extent.extend(extent, county.getGeometry().getExtent()); } else {
      keys.forEach(function (key) { if (sources[key].getFeatures().length) { ol.extent.extend(extent, sources[key].getExtent()); } });
    }
    if (!ol.extent.isEmpty(extent)) { ed.map.getView().fit(extent, {padding: [30, 30, 30, 30]}); }
    var focusNote = openOnFocus();
    var countyName = countyPick.options[countyPick.selectedIndex] ? countyPick.options[countyPick.selectedIndex].text : "";
    ed.setStatus((refusal ? refusal.textContent + "。" : "") + countyName + "：已加载 " + counts["boundary-lines"] + " 条界线、" + counts["boundary-markers"] + " 个界桩、" +
      counts["placenames"] + " 个地名；本区县 " + counts["streets"] + " 条街路巷、" + counts["street-signs"] +
      " 块路牌、" + counts["door-plates"] + " 块门牌、" + counts["facilities"] + " 处民政设施" + backdropNote + focusNote);
    ed.mapEl.dataset.ready = "1";
  }).catch(function (err) { ed.setStatus("加载失败：" + err.message, true); });
})();
