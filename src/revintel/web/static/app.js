/* revintel app shell: theme toggle, sidebar on phones, auto-submitting filters, loading state,
   Plotly charts from embedded JSON, and revintel.post() which sends the CSRF header. */
(function () {
  "use strict";
  var root = document.documentElement;
  function csrf() { var m = document.querySelector('meta[name="csrf-token"]'); return m ? m.content : ""; }

  window.revintel = {
    csrfToken: csrf,
    /** POST JSON (or FormData) with the CSRF header; resolves to the parsed JSON, rejects with it. */
    post: function (url, body) {
      var isForm = body instanceof FormData;
      return fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: isForm ? { "X-CSRF-Token": csrf() } : { "X-CSRF-Token": csrf(), "Content-Type": "application/json" },
        body: isForm ? body : JSON.stringify(body || {})
      }).then(function (r) {
        return r.json().then(function (j) { if (!r.ok) { throw j; } return j; });
      });
    },
    /** Draw every chart whose JSON sits in a <script data-chart-for> tag inside `scope`. */
    drawCharts: function (scope) {
      if (!window.Plotly) { return; }
      var dark = root.dataset.theme === "dark";
      (scope || document).querySelectorAll("script[data-chart-for]").forEach(function (s) {
        var el = document.getElementById(s.getAttribute("data-chart-for"));
        if (!el) { return; }
        var fig = JSON.parse(s.textContent);
        var layout = Object.assign({}, fig.layout || {}, {
          paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
          font: { color: dark ? "#e6e9ef" : "#1b2230" }, autosize: true
        });
        el.removeAttribute("data-loading");
        window.Plotly.react(el, fig.data || [], layout, { displaylogo: false, responsive: true });
      });
    }
  };

  document.addEventListener("click", function (e) {
    var t = e.target.closest("[data-theme-toggle]");
    if (t) {
      var next = root.dataset.theme === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem("revintel-theme", next); } catch (err) { /* private mode */ }
      window.revintel.drawCharts();
    }
    if (e.target.closest("[data-toggle-sidebar]")) { document.body.classList.toggle("nav-open"); return; }
    if (document.body.classList.contains("nav-open") && !e.target.closest("#sidebar")) {
      document.body.classList.remove("nav-open");  // a tap outside the drawer closes it
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { document.body.classList.remove("nav-open"); }
  });
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-autosubmit]")) { document.body.classList.add("loading"); e.target.form.submit(); }
  });
  document.addEventListener("submit", function () { document.body.classList.add("loading"); });
  window.addEventListener("pageshow", function () { document.body.classList.remove("loading"); });
  document.addEventListener("DOMContentLoaded", function () { window.revintel.drawCharts(); });
})();
