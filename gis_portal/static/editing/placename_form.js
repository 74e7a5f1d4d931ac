/* The editor's place-name form: as the officer types a name, the suggested spelling by the
   1984 rules (GET /api/v1/romanize, natural villages joined: the checkbox starts as the
   category says and the officer may change it for a town settlement) and the naming review (POST /api/v1/placenames/review:
   duplicates and homophones in the regulated scope, naming rules) appear below the field,
   debounced, in Chinese. The editor announces the selected feature with "editor:feature". */
"use strict";
(function () {
  var form = document.getElementById("attr-form");
  var nameInput = document.getElementById("f-standard_name");
  var pinyinInput = document.getElementById("f-pinyin");
  if (!form || !nameInput) { return; }
  var API = document.getElementById("map").dataset.api;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var suggestEl = document.getElementById("pn-pinyin-suggest");
  var settlementBox = document.getElementById("f-pn-settlement");
  var settlementNote = document.getElementById("pn-settlement-note");
  var settlementChosen = false;  // the officer ticked or cleared it: no longer the category's
  var DEFAULT_NOTE = settlementNote.textContent;
  var reviewEl = document.getElementById("pn-review");
  var DELAY_MS = 300;
  var current = null;   // {category, division, name} of the selected place
  var timer = null;
  var sequence = 0;     // answers to an older keystroke are dropped

  var LEVEL = {error: "不符合", warning: "注意", info: "提示"};

  // A new name's category and district are chosen from the server's lists (names shown,
  // codes stored); the districts are those of the county being edited.
  var COUNTY = document.getElementById("map").dataset.county;
  document.addEventListener("editor:form", function (e) {
    if (e.detail.layer !== "placenames") { return; }
    e.detail.info.fields.forEach(function (field) {
      var select = form.querySelector('select[data-choices="' + field.name + '"]');
      if (!select || !field.choices) { return; }
      field.choices.forEach(function (c) {
        if (field.name === "division" && String(c[0]).indexOf(COUNTY) !== 0) { return; }
        var o = document.createElement("option");
        o.value = c[0]; o.textContent = c[1];
        select.appendChild(o);
      });
      select.dataset.loaded = String(select.options.length - 1);
    });
  });

  function categoryNow() {
    if (current && !current.isNew) { return current.category || ""; }
    var typed = document.getElementById("f-pn-category");
    return typed ? typed.value.trim() : "";
  }

  function clear() {
    settlementChosen = false;
    settlementNote.textContent = DEFAULT_NOTE;
    suggestEl.textContent = "";
    reviewEl.textContent = "";
    reviewEl.className = "pn-review";
  }

  document.addEventListener("editor:feature", function (e) {
    clear();
    var d = e.detail;
    current = d.layer === "placenames"
      ? {category: d.properties.category, division: d.properties.division, name: d.properties.standard_name,
        isNew: !!d.properties.isNew}
      : null;
    document.getElementById("pn-demo").hidden = !(current && d.properties.is_demo === true);
    if (current) { suggest(nameInput.value, ++sequence); }
  });

  // A drawn feature: no record yet (category and division come from the form).
  document.addEventListener("editor:new", function (e) {
    if (e.detail.layer !== "placenames") { return; }
    clear();
    current = {isNew: true, name: ""};
    document.getElementById("pn-demo").hidden = true;
  });

  function suggest(name, seq) {
    name = (name || "").trim();
    if (!name) { clear(); return; }
    var params = {name: name};
    var category = categoryNow();
    if (/^\d{5}$/.test(category)) { params.category = category; }
    if (settlementChosen) { params.settlement = settlementBox.checked ? "true" : "false"; }
    HegangMap.request(API + "romanize", {params: params})
      .then(function (res) {
        if (seq !== sequence) { return; }
        if (!res.ok) { suggestEl.textContent = res.error; return; }
        if (!settlementChosen) { settlementBox.checked = res.body.settlement; }
        var text = "建议拼写：" + res.body.pinyin;
        if (res.body.needs_check) {
          text += "（多音字 " + res.body.unsettled.join("、") + " 需人工核对）";
        }
        suggestEl.textContent = text;
        suggestEl.dataset.pinyin = res.body.pinyin;
      }).catch(function (err) { if (seq === sequence) { suggestEl.textContent = err.message; } });
  }

  function review(name, seq) {
    name = (name || "").trim();
    if (!current || !name || name === current.name) { reviewEl.textContent = ""; return; }
    reviewEl.textContent = "正在审核…";
    HegangMap.request(API + "placenames/review", {
      method: "POST", csrf: csrf,
      // A drawn new place: its category and division are typed in the form.
      json: current.isNew
        ? {name: name, category: document.getElementById("f-pn-category").value,
          division: document.getElementById("f-pn-division").value}
        : {name: name, category: current.category, division: current.division},
    }).then(function (res) {
      if (seq !== sequence) { return; }
      reviewEl.textContent = "";
      if (!res.ok) {
        reviewEl.className = "pn-review error";
        reviewEl.textContent = res.error;
        return;
      }
      var ok = res.body.acceptable;
      reviewEl.className = "pn-review " + (ok ? "ok" : "error");
      var head = document.createElement("p");
      head.textContent = ok ? "命名审核：未发现不符合规定之处（保存后提交审批）" : "命名审核：不符合规定，不能提交";
      reviewEl.appendChild(head);
      res.body.findings.forEach(function (f) {
        var p = document.createElement("p");
        p.className = "finding " + f.level;
        var names = (f.matches || []).map(function (m) { return m.standard_name + "（" + m.division + "）"; });
        p.textContent = (LEVEL[f.level] || f.level) + "：" + f.message + (names.length ? "：" + names.slice(0, 5).join("、") : "");
        reviewEl.appendChild(p);
      });
    }).catch(function (err) {
      if (seq !== sequence) { return; }
      reviewEl.className = "pn-review error";
      reviewEl.textContent = err.message;
    });
  }

  nameInput.addEventListener("input", function () {
    if (!current) { return; }
    var seq = ++sequence;
    clearTimeout(timer);
    timer = setTimeout(function () {
      suggest(nameInput.value, seq);
      review(nameInput.value, seq);
    }, DELAY_MS);
  });
  // The category decides the spelling (a village's syllables joined): a new choice re-spells.
  document.getElementById("f-pn-category").addEventListener("change", function () {
    if (current && current.isNew) { suggest(nameInput.value, ++sequence); }
  });
  // Ticking or clearing the choice re-spells the name; the saved spelling follows it only
  // when taken into the field (a blank field is spelt by the category on saving).
  settlementBox.addEventListener("change", function () {
    settlementChosen = true;
    settlementNote.textContent = "已手动选择拼写方式：请点击建议拼写填入罗马字母拼写，否则保存时按类别拼写。";
    if (current) { suggest(nameInput.value, ++sequence); }
  });
  // Click the suggestion to take it as the spelling.
  suggestEl.addEventListener("click", function () {
    if (suggestEl.dataset.pinyin) { pinyinInput.value = suggestEl.dataset.pinyin; }
  });
})();
