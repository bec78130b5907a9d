/* Casebook filter page: narrow cases by region x domain x theme x year in the browser.
   Data: window.CASEBOOK_INDEX (rows [title, url, province, city, county, domain, themes, year]),
   generated at build time and loaded by a script tag, so it also works from file://. */
(function () {
  "use strict";
  var LIMIT = 300;
  var UNKNOWN_YEAR = "年份不详";  // the year bucket of cases without a year (as on the 年份 pages)

  function siteBase() {
    var el = document.getElementById("__config");
    var base = ".";
    try { base = JSON.parse(el.textContent).base || "."; } catch (e) { /* keep "." */ }
    return base.replace(/\/$/, "") + "/";
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function countBy(rows, pick) {
    var counts = {};
    rows.forEach(function (r) {
      [].concat(pick(r)).forEach(function (v) { if (v) counts[v] = (counts[v] || 0) + 1; });
    });
    return counts;
  }

  function fillSelect(select, counts, keep, numeric) {
    var keys = Object.keys(counts).sort(function (a, b) {
      if (numeric) {  // newest year first, 年份不详 last
        var na = isNaN(+a), nb = isNaN(+b);
        return na !== nb ? (na ? 1 : -1) : b - a;
      }
      return counts[b] - counts[a] || a.localeCompare(b, "zh");
    });
    select.textContent = "";
    select.appendChild(el("option", { value: "" }, "全部"));
    keys.forEach(function (k) {
      var opt = el("option", { value: k }, k + "（" + counts[k] + "）");
      if (k === keep) opt.selected = true;
      select.appendChild(opt);
    });
    if (keep && !(keep in counts)) select.value = "";
  }

  function init(root) {
    var rows = window.CASEBOOK_INDEX;
    if (!Array.isArray(rows)) {
      root.appendChild(el("p", {}, "案例索引未能加载。"));
      return;
    }
    var base = siteBase();
    var fields = [
      ["province", "省", function (r) { return r[2]; }],
      ["city", "市", function (r) { return r[3]; }],
      ["county", "县", function (r) { return r[4]; }],
      ["domain", "领域", function (r) { return r[5]; }],
      ["theme", "主题", function (r) { return r[6]; }],
      ["year", "年份", function (r) { return r[7] ? String(r[7]) : UNKNOWN_YEAR; }]
    ];
    var controls = el("form", { "class": "cb-filter__controls", role: "search" });
    var selects = {};
    fields.forEach(function (f) {
      var label = el("label", {}, f[1]);
      var select = el("select", { name: f[0], "data-field": f[0] });
      label.appendChild(select);
      controls.appendChild(label);
      selects[f[0]] = select;
    });
    var textLabel = el("label", {}, "标题含");
    var text = el("input", { type: "search", name: "q", placeholder: "如：党群服务中心" });
    textLabel.appendChild(text);
    controls.appendChild(textLabel);
    var count = el("p", { "class": "cb-filter__count", "aria-live": "polite" });
    var list = el("ol", { "class": "cb-filter__results" });
    root.appendChild(controls);
    root.appendChild(count);
    root.appendChild(list);

    function matches(r, except) {
      for (var i = 0; i < fields.length; i++) {
        var name = fields[i][0];
        if (name === except) continue;
        var want = selects[name].value;
        if (!want) continue;
        var have = [].concat(fields[i][2](r));
        if (have.indexOf(want) < 0) return false;
      }
      var q = text.value.trim();
      return !q || r[0].indexOf(q) >= 0;
    }

    function update() {
      // each list's counts reflect the other choices, so no choice leads to an empty result
      fields.forEach(function (f) {
        var subset = rows.filter(function (r) { return matches(r, f[0]); });
        fillSelect(selects[f[0]], countBy(subset, f[2]), selects[f[0]].value, f[0] === "year");
      });
      var hits = rows.filter(function (r) { return matches(r, null); });
      count.textContent = "共 " + hits.length + " 个案例" + (hits.length > LIMIT ? "，显示前 " + LIMIT + " 个" : "");
      list.textContent = "";
      hits.slice(0, LIMIT).forEach(function (r) {
        var li = el("li");
        li.appendChild(el("a", { href: base + r[1] }, r[0]));
        var where = [r[2], r[3], r[4]].filter(function (x, i, a) { return x && a.indexOf(x) === i; }).join(" › ");
        li.appendChild(el("small", {}, [where, r[5], r[7] || ""].filter(Boolean).join(" · ")));
        list.appendChild(li);
      });
    }

    controls.addEventListener("change", update);
    text.addEventListener("input", update);
    controls.addEventListener("submit", function (e) { e.preventDefault(); });
    update();
  }

  // 如何引用本案例: without site_url the permalink is written site-relative; show the full address
  function fillPermalinks() {
    var links = document.querySelectorAll("a.cb-cite__permalink[data-cb-fill]");
    Array.prototype.forEach.call(links, function (a) { a.textContent = a.href; });
  }

  function start() {
    var root = document.getElementById("cb-filter");
    if (root) init(root);
    fillPermalinks();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
