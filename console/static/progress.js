// Live progress of a CSV job: polls the job's counts and updates the page;
// reloads it when the phase changes (the preview, the approval, the end).
// The page works without it: it shows the state as of its load.
(function () {
  var box = document.getElementById("job");
  if (!box) return;
  var url = box.dataset.progress, phase = box.dataset.phase;
  if (["done", "cancelled", "expired", "failed"].indexOf(phase) >= 0) return;
  function set(id, v) { var e = document.getElementById(id); if (e) e.textContent = v; }
  function tick() {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (p) {
      if (p.phase !== phase) { window.location.reload(); return; }
      var bar = document.getElementById("bar");
      var n = phase === "validating" ? p.validated : p.applied;
      if (bar) bar.value = n;
      set("count", n);
      ["linked", "invited", "waiting", "told", "unchanged", "refused"].forEach(function (k) { set(k, p[k]); });
      if (!p.ended) setTimeout(tick, 1000);
    }).catch(function () { setTimeout(tick, 3000); });
  }
  setTimeout(tick, 1000);
})();
