/* Planner page, the plan's part: every target (facilities, coverage and the yearly
   indicators) as met / not met, the yearly figures per county, their entry form and
   Excel import, and the standards workbook's upload. Data from this portal's API only. */
"use strict";
(function () {
  var root = document.getElementById("planner");
  var ds = root.dataset;
  var indicatorStatus = HegangMap.statusLine("indicator-status");
  var standardsStatus = HegangMap.statusLine("standards-status");
  var MARKS = {true: ["✔ ", "met"], false: ["✘ ", "unmet"], null: ["", "na"]};

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  function mark(t) {
    var m = MARKS[String(t.met)] || MARKS["null"];
    return el("span", m[0] + t.met_label + " ", m[1]);
  }
  function demoBadge() { return el("span", "演示数据", "demo-badge"); }

  function showTargets(targets) {
    var ul = document.getElementById("targets");
    ul.textContent = "";
    targets.forEach(function (t) {
      var li = el("li");
      li.dataset.key = t.key;
      li.appendChild(mark(t));
      if (t.kind === "indicator") { li.appendChild(el("span", "［年度指标］", "small")); }
      li.appendChild(el("span", t.label + "：" + t.figure + "（目标 " + t.goal + "；" + t.basis + "）"));
      if (t.is_demo) { li.appendChild(document.createTextNode(" ")); li.appendChild(demoBadge()); }
      li.title = "出处：" + t.source;
      ul.appendChild(li);
    });
    showIndicatorTable(targets.filter(function (t) { return t.kind === "indicator"; }));
  }

  function showIndicatorTable(rows) {
    var body = document.querySelector("#indicator-table tbody");
    body.textContent = "";
    rows.forEach(function (t) {
      var tr = el("tr");
      tr.dataset.key = t.key;
      var entered = (t.counties || []).filter(function (c) { return c.value_percent !== null; });
      var reached = entered.filter(function (c) { return c.met; }).length;
      var name = el("td");
      var details = el("details");
      details.appendChild(el("summary", t.label));
      var list = el("ul", undefined, "small county-values");
      (t.counties || []).forEach(function (c) {
        var text = c.county + "：" + (c.value_percent === null ? "未填报" : c.value_percent + "%");
        var li = el("li", text + (c.met === true ? "（达到）" : c.met === false ? "（未达到）" : ""));
        if (c.is_demo) { li.appendChild(document.createTextNode(" ")); li.appendChild(demoBadge()); }
        list.appendChild(li);
      });
      details.appendChild(list);
      name.appendChild(details);
      tr.appendChild(name);
      tr.appendChild(el("td", t.goal));
      tr.appendChild(el("td", t.year ? String(t.year) : "—"));
      tr.appendChild(el("td", t.year ? reached + "/" + (t.counties || []).length : "—"));
      var state = el("td");
      state.appendChild(mark(t));
      if (t.is_demo) { state.appendChild(demoBadge()); }
      tr.appendChild(state);
      body.appendChild(tr);
    });
  }

  function loadTargets() {
    return HegangMap.getJSON(ds.targetsUrl).then(showTargets).catch(function (err) {
      indicatorStatus(err.message, true);
    });
  }

  // The error of a refused batch: its message, then each problem by row and column.
  function problems(res) {
    var list = (res.body && res.body.errors) || [];
    var lines = list.slice(0, 20).map(function (e) {
      return (e.sheet ? e.sheet + " " : "") + "第 " + e.line + " 行［" + e.column + "］：" + e.reason;
    });
    return [res.error].concat(lines).join("\n");
  }

  function upload(url, form, status, done) {
    var data = new FormData();
    data.append("file", form.file.files[0]);
    status("正在上传并检查…");
    return HegangMap.request(url, {method: "POST", body: data, csrf: ds.csrf}).then(function (res) {
      if (!res.ok) { status(problems(res), true); return; }
      status(done(res.body));
      loadTargets();
    }, function (err) { status(err.message, true); });
  }

  document.getElementById("indicator-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var f = ev.target;
    var data = {indicator: f.indicator.value, county: f.county.value, year: f.year.value,
                value_percent: f.value_percent.value, note: f.note.value};
    indicatorStatus("正在保存…");
    HegangMap.request(ds.indicatorValuesUrl, {method: "POST", json: data, csrf: ds.csrf}).then(function (res) {
      if (!res.ok) { indicatorStatus(problems(res), true); return; }
      var v = res.body;
      indicatorStatus("已保存：" + v.county_name + " " + v.year + " 年" + v.indicator_name + " " +
        v.value_percent + "%（填报人 " + v.entered_by + "）");
      f.value_percent.value = "";
      f.note.value = "";
      loadTargets();
    }, function (err) { indicatorStatus(err.message, true); });
  });
  document.getElementById("indicator-import").addEventListener("submit", function (ev) {
    ev.preventDefault();
    upload(ds.indicatorImportUrl, ev.target, indicatorStatus, function (r) {
      return "已导入 " + r.written + " 条年度数据。";
    });
  });
  document.getElementById("standards-import").addEventListener("submit", function (ev) {
    ev.preventDefault();
    upload(ds.standardsImportUrl, ev.target, standardsStatus, function (r) {
      return "已更新 " + r.programmes + " 个服务项目、" + r.types + " 个设施类型。刷新页面后生效。";
    });
  });

  loadTargets();
})();
