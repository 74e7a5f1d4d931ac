/* Officers' map editor, part 4 of 5: the history panel (历史记录) of the selected feature —
   its versions with who, when, why and a field diff; the old and new geometry drawn on the
   map. See editor_map.js for the parts and their order. */
"use strict";
(function () {
  var ed = window.editor;
  var historySource = ed.historySource;

  function cell(tag, text) {
    var c = document.createElement(tag);
    c.textContent = text == null ? "" : String(text);
    return c;
  }

  function showHistory() {
    var selected = ed.state.selected;
    if (!selected) { return; }
    var list = document.getElementById("history-list");
    ed.request(ed.API + "editing/" + selected.get("layer") + "/" + selected.getId() + "/history").then(function (res) {
      document.getElementById("history-panel").hidden = false;
      list.textContent = "";
      if (!res.ok) { list.textContent = res.error; return; }
      res.body.timeline.slice().reverse().forEach(function (entry, i) {
        var li = document.createElement("li");
        var when = new Date(entry.at).toLocaleString("zh-CN");
        li.textContent = "v" + entry.version + " " + entry.action_label + " · " + when + " · " +
          (entry.username || "系统") + (entry.comment ? " · " + entry.comment : "");
        li.addEventListener("click", function () { showDiff(entry, li); });
        list.appendChild(li);
        if (i === 0) { showDiff(entry, li); }
      });
    }).catch(function (err) { list.textContent = err.message; });
  }

  function showDiff(entry, li) {
    document.querySelectorAll("#history-list li").forEach(function (x) { x.classList.remove("current"); });
    li.classList.add("current");
    var box = document.getElementById("history-diff");
    box.textContent = "";
    var table = document.createElement("table");
    table.className = "ed-table";
    var head = document.createElement("tr");
    ["字段", "修改前", "修改后"].forEach(function (t) { head.appendChild(cell("th", t)); });
    table.appendChild(head);
    // The layer's own label and the values as read (choice labels, names), from the API.
    Object.keys(entry.changed).forEach(function (name) {
      var c = entry.changed[name];
      var tr = document.createElement("tr");
      tr.dataset.field = name;
      [c.label || name, "before_shown" in c ? c.before_shown : c.before, "after_shown" in c ? c.after_shown : c.after]
        .forEach(function (v) { tr.appendChild(cell("td", v)); });
      table.appendChild(tr);
    });
    historySource.clear();
    if (entry.geometry) {
      var tr = document.createElement("tr");
      var shift = entry.geometry.max_shift_m == null ? "" : "，最大位移 " + entry.geometry.max_shift_m + " m";
      ["几何", entry.geometry.vertices_before + " 个顶点", entry.geometry.vertices_after + " 个顶点" + shift].forEach(function (v) {
        tr.appendChild(cell("td", v));
      });
      table.appendChild(tr);
      ["before", "after"].forEach(function (which) {
        if (entry.geometry[which]) {
          var g = ed.geojson.readGeometry(entry.geometry[which]);
          historySource.addFeature(new ol.Feature({geometry: g, which: which}));
        }
      });
    }
    box.appendChild(table);
  }
  document.getElementById("btn-history").addEventListener("click", showHistory);

  ed.showHistory = showHistory;
})();
