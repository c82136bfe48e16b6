/* Export buttons: start an export job, show its progress, download the file.
   Wired once per page; any element with class export-buttons and data-export-view works. */
(function () {
  if (window.revintelExportWired) { return; }
  window.revintelExportWired = true;
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-export-format]");
    if (!b) { return; }
    var box = b.closest(".export-buttons"), out = box.querySelector(".export-progress");
    var view = b.getAttribute("data-export-as") || box.getAttribute("data-export-view");
    var body = { view: view, format: b.getAttribute("data-export-format"),
                 params: JSON.parse(box.getAttribute("data-export-params") || "{}") };
    box.querySelectorAll("button").forEach(function (x) { x.disabled = true; });
    out.textContent = "starting…";
    function done(msg) { out.textContent = msg; box.querySelectorAll("button").forEach(function (x) { x.disabled = false; }); }
    window.revintel.post("/api/exports" + window.location.search, body).then(function (job) {
      (function poll() {
        fetch("/api/exports/" + job.id, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
          if (s.status === "running") { out.textContent = s.step + " · " + Math.round(100 * s.progress) + "%"; setTimeout(poll, 700); }
          else if (s.status === "done") { done("ready: " + s.filename); window.location = "/api/exports/" + job.id + "/file"; }
          else { done("export failed: " + (s.error || "unknown error")); }
        }).catch(function () { done("lost contact with the server"); });
      })();
    }).catch(function (err) { done("export refused: " + ((err && err.message) || "error")); });
  });
})();
