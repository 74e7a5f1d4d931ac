/* Officers' map editor, part 5 of 5: start — the picked layer (and 联动编辑) decide what the
   modify tool moves; then every layer of the county is loaded and the map fitted to the
   boundary lines. See editor_map.js for the parts and their order. */
"use strict";
(function () {
  var ed = window.editor;
  var sources = ed.sources;

  document.querySelectorAll("#layer-pick input, #link-edit").forEach(function (input) {
    input.addEventListener("change", ed.rebuildEditable);
  });

  // The county outlines are orientation only: the editor works without them, and says so.
  var backdropNote = "";
  var backdrop = ed.counties.loaded.catch(function (err) { backdropNote = "；区县底图未能加载：" + err.message; });
  var keys = Object.keys(ed.LAYER_URL);
  Promise.all([backdrop].concat(keys.map(ed.loadLayer))).then(function (results) {
    var counts = {};
    keys.forEach(function (key, i) { counts[key] = results[i + 1]; });
    ed.rebuildEditable();
    var extent = sources["boundary-lines"].getExtent();
    if (sources["boundary-lines"].getFeatures().length) { ed.map.getView().fit(extent, {padding: [30, 30, 30, 30]}); }
    ed.setStatus("已加载 " + counts["boundary-lines"] + " 条界线、" + counts["boundary-markers"] + " 个界桩、" +
      counts["placenames"] + " 个地名；本区县 " + counts["streets"] + " 条街路巷、" + counts["street-signs"] +
      " 块路牌、" + counts["door-plates"] + " 块门牌、" + counts["facilities"] + " 处民政设施" + backdropNote);
    ed.mapEl.dataset.ready = "1";
  }).catch(function (err) { ed.setStatus("加载失败：" + err.message, true); });
})();
