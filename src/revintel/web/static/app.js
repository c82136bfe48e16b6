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
    /** A figure's layout for this screen: fills its box, legend under the plot (never under the toolbar). */
    chartLayout: function (base, dark) {
      var layout = Object.assign({}, base, {
        paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
        font: { color: dark ? "#e6e9ef" : "#1b2230" }, autosize: true
      });
      delete layout.width;  // the chart takes its container's width, whatever the screen
      if (layout.showlegend !== false) {
        layout.legend = Object.assign({}, layout.legend || {}, {
          orientation: "h", x: 0, xanchor: "left", yref: "container", y: 0, yanchor: "bottom"
        });
      }
      return layout;
    },
    /** Plotly options: resize with the window, a short toolbar (download, reset), none on phones. */
    chartConfig: function () {
      return {
        displaylogo: false, responsive: true,
        displayModeBar: window.matchMedia("(max-width: 640px)").matches ? false : "hover",
        modeBarButtonsToRemove: ["select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d", "pan2d"]
      };
    },
    /** Label every cell of the wide data tables with its column header, so phones show them as cards. */
    labelTables: function (scope) {
      (scope || document).querySelectorAll("table.data").forEach(function (t) {
        var head = t.querySelector("thead tr") || t.querySelector("tr");
        if (!head || !head.querySelector("th")) { return; }
        var heads = Array.prototype.map.call(head.children, function (c) { return c; });
        if (heads.length < 4) { return; }
        t.classList.add("stackable");
        head.classList.add("head-row");
        t.querySelectorAll("tr").forEach(function (tr) {
          if (tr === head) { return; }
          Array.prototype.forEach.call(tr.children, function (td, i) {
            var th = heads[i];
            if (!th || td.hasAttribute("colspan")) { return; }
            td.setAttribute("data-label", th.textContent.trim());
            if (th.classList.contains("key")) { td.classList.add("key"); }
          });
        });
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
        var layout = window.revintel.chartLayout(fig.layout || {}, dark);
        el.removeAttribute("data-loading");
        window.Plotly.react(el, fig.data || [], layout, window.revintel.chartConfig());
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
  document.addEventListener("DOMContentLoaded", function () {
    window.revintel.labelTables();
    window.revintel.drawCharts();
  });
})();
