"use strict";
(function () {
  // Sortable tables: click a header; numeric cells sort by data-v.
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (th, col) {
      th.addEventListener("click", function () {
        var asc = !th.classList.contains("asc");
        table.querySelectorAll("th").forEach(function (h) { h.classList.remove("asc", "desc"); });
        th.classList.add(asc ? "asc" : "desc");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col], y = b.cells[col];
          var vx = x.dataset.v, vy = y.dataset.v;
          var c = (vx !== undefined && vy !== undefined) ? (Number(vx) - Number(vy)) : x.textContent.localeCompare(y.textContent);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });

  var dataEl = document.getElementById("flame-data");
  if (!dataEl) { return; }
  var data = JSON.parse(dataEl.textContent);
  var nodes = data.nodes;
  var fills = data.fill;
  var box = document.getElementById("flame");
  var tip = document.getElementById("tip");
  var search = document.getElementById("search");
  var matchesEl = document.getElementById("matches");
  var ROW = 18;
  var zoom = 0;

  // Frames whose change is within the sampling noise read as unchanged.
  function status(n) {
    if (n.noise || (n.total_before === 0 && n.total_after === 0)) { return "same"; }
    if (n.total_before === 0) { return "new"; }
    if (n.total_after === 0) { return "gone"; }
    if (n.total_after > n.total_before) { return "grew"; }
    if (n.total_after < n.total_before) { return "shrank"; }
    return "same";
  }
  function fmt(b) {
    if (b < 1000) { return b + " B"; }
    if (b < 1e5) { return (b / 1e3).toFixed(1) + " kB"; }
    if (b < 1e6) { return (b / 1e3).toFixed(0) + " kB"; }
    if (b < 1e8) { return (b / 1e6).toFixed(1) + " MB"; }
    return (b / 1e6).toFixed(0) + " MB";
  }
  // True for a fill colour ("#RRGGBB") that needs light text.
  function dark(hex) {
    var v = parseInt(hex.slice(1), 16);
    var r = (v >> 16) & 255, g = (v >> 8) & 255, b = v & 255;
    return 0.299 * r + 0.587 * g + 0.114 * b < 128;
  }
  function label(n) { return n.location ? n.name + " (" + n.location + ")" : n.name; }
  function tipText(n) {
    var d = n.total_after - n.total_before;
    var pct = n.total_before === 0 ? "new" : n.total_after === 0 ? "gone" : (d >= 0 ? "+" : "") + (100 * d / n.total_before).toFixed(1) + "%";
    if (n.noise) { pct += ", within the sampling noise"; }
    return label(n) + "\nbefore: " + fmt(n.total_before) + "\nafter:  " + fmt(n.total_after) +
      "\nΔ: " + (d >= 0 ? "+" : "-") + fmt(Math.abs(d)) + " (" + pct + ")\nself: " + fmt(n.self_before) + " → " + fmt(n.self_after);
  }
  function pattern() {
    var q = search.value;
    if (!q) { return null; }
    try { return new RegExp(q, "i"); } catch (e) { return null; }
  }
  function draw(i, x, w, depth, re) {
    var n = nodes[i];
    var el = document.createElement("div");
    el.className = "frame " + status(n);
    el.style.backgroundColor = fills[i];
    el.style.color = dark(fills[i]) ? "#fff" : "#000";
    if (re && re.test(label(n))) { el.classList.add("match"); }
    el.style.left = x + "px";
    el.style.width = Math.max(w, 1) + "px";
    el.style.top = (depth * ROW) + "px";
    el.textContent = w > 28 ? n.name : "";
    el.dataset.node = String(i);
    box.appendChild(el);
  }
  function render() {
    box.textContent = "";
    var W = box.clientWidth || 1200;
    var re = pattern();
    var chain = [];
    for (var a = nodes[zoom].parent; a !== null && a !== undefined; a = nodes[a].parent) { chain.unshift(a); }
    var depth = 0, maxDepth = 0;
    chain.forEach(function (a) { draw(a, 0, W, depth++, re); });
    var rootW = nodes[zoom].width || 1;
    var stack = [[zoom, 0, depth]];
    while (stack.length) {
      var top = stack.pop(), i = top[0], x = top[1], d = top[2];
      var w = nodes[i].width / rootW * W;
      if (w < 0.5) { continue; }
      draw(i, x, w, d, re);
      if (d > maxDepth) { maxDepth = d; }
      var cx = x;
      nodes[i].children.forEach(function (c) { stack.push([c, cx, d + 1]); cx += nodes[c].width / rootW * W; });
    }
    box.style.height = ((maxDepth + 1) * ROW + 2) + "px";
    var hits = box.querySelectorAll(".frame.match").length;
    matchesEl.textContent = re ? hits + " matching frame(s)" : "";
  }
  box.addEventListener("click", function (e) {
    var t = e.target.closest(".frame");
    if (t) { zoom = Number(t.dataset.node); render(); }
  });
  box.addEventListener("mousemove", function (e) {
    var t = e.target.closest(".frame");
    if (!t) { tip.hidden = true; return; }
    tip.textContent = tipText(nodes[Number(t.dataset.node)]);
    tip.style.left = (e.clientX + 12) + "px";
    tip.style.top = (e.clientY + 12) + "px";
    tip.hidden = false;
  });
  box.addEventListener("mouseleave", function () { tip.hidden = true; });
  search.addEventListener("input", render);
  document.getElementById("reset").addEventListener("click", function () { zoom = 0; render(); });
  window.addEventListener("resize", render);
  render();
})();
