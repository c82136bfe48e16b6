/* The Ask page: posts questions to /api/ask/stream, renders each step as it arrives
   (understood -> query -> answer), draws the answer's chart with Plotly from its table and chart
   spec (data only), and handles feedback, rename and delete. All text goes in via textContent. */
(function () {
  "use strict";
  var thread, form, input;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  function csrf() { return window.revintel.csrfToken(); }

  function fmtCell(v) {
    if (v === null || v === undefined) { return ""; }
    if (typeof v === "number") {
      return Math.abs(v) < 1 && v !== 0 ? v.toFixed(4) : v.toLocaleString(undefined, { maximumFractionDigits: 2 });
    }
    return String(v);
  }

  function table(t) {
    var wrap = el("div", "table-wrap"), tb = el("table", "data");
    tb.setAttribute("data-testid", "answer-table");
    var head = el("tr");
    t.columns.forEach(function (c) { head.appendChild(el("th", null, c)); });
    tb.appendChild(head);
    t.rows.slice(0, 50).forEach(function (r, i) {
      var tr = el("tr"), shown = (t.display || [])[i];  // the server formats every cell by its unit
      r.forEach(function (v, j) {
        tr.appendChild(el("td", typeof v === "number" ? "num" : null, shown ? shown[j] : fmtCell(v)));
      });
      tb.appendChild(tr);
    });
    wrap.appendChild(tb);
    return wrap;
  }

  // axis ticks with the unit (the server's revintel.format.plotly_axis rules): $2.6B, 40%, never 2.6G
  function axisFor(unit) {
    if (unit === "percent") { return { tickformat: ".0%" }; }
    if (unit === "ratio") { return { tickformat: ".1f", ticksuffix: "x" }; }
    var ax = { exponentformat: "B", separatethousands: true };
    if (unit && unit.indexOf("currency") === 0) { ax.tickprefix = "$"; }
    if (unit === "hours") { ax.ticksuffix = " h"; }
    return ax;
  }

  function figure(a) {
    var spec = a.chart || {}, t = a.table || { columns: [], rows: [] }, rows = t.rows || [];
    if (!rows.length || ["bar", "line", "pie", "waterfall"].indexOf(spec.type) < 0) { return null; }
    var xi = Math.max(0, t.columns.indexOf(spec.x));
    if (spec.type === "waterfall") {
      var yi = t.columns.indexOf(typeof spec.y === "string" ? spec.y : "change");
      if (yi < 0) { yi = t.columns.length > 4 ? 4 : 1; }
      var labels = rows.map(function (r) { return String(r[t.columns.indexOf("segment") >= 0 ? 1 : 0]); });
      var values = rows.map(function (r) { return r[yi]; });
      var measure = values.map(function () { return "relative"; });
      if (t.columns[0] === "step") { measure[0] = "absolute"; measure[measure.length - 1] = "total"; }
      return { data: [{ type: "waterfall", x: labels.slice(0, 15), y: values.slice(0, 15), measure: measure.slice(0, 15) }],
               layout: { margin: { t: 10, r: 10, b: 80, l: 60 }, showlegend: false } };
    }
    var ys = (Array.isArray(spec.y) ? spec.y : [spec.y || t.columns[1]]).filter(function (c) { return t.columns.indexOf(c) >= 0; });
    if (!ys.length) { ys = [t.columns[1]]; }
    var shown = t.display || [], units = t.units || [];
    var x = rows.map(function (r, i) { return shown[i] && units[xi] && units[xi].indexOf("grain:") === 0 ? shown[i][xi] : r[xi]; });
    if (spec.type === "pie") {
      return { data: [{ type: "pie", labels: x, values: rows.map(function (r) { return r[t.columns.indexOf(ys[0])]; }) }],
               layout: { margin: { t: 10, r: 10, b: 10, l: 10 } } };
    }
    var data = ys.map(function (c) {
      var i = t.columns.indexOf(c);
      return { type: spec.type === "line" ? "scatter" : "bar", mode: "lines+markers", name: c, x: x,
               y: rows.map(function (r) { return r[i]; }) };
    });
    var yUnit = units[t.columns.indexOf(ys[0])];
    return { data: data, layout: { margin: { t: 10, r: 10, b: 60, l: 70 }, barmode: "group", yaxis: axisFor(yUnit) } };
  }

  function details(summary, node, testid) {
    var d = el("details", "sql"), s = el("summary", null, summary);
    if (testid) { d.setAttribute("data-testid", testid); }
    d.appendChild(s); d.appendChild(node);
    return d;
  }

  function renderAnswer(box, a, turnId) {
    box.textContent = "";
    box.className = "card ask-a" + (a.intent === "unsupported" || a.intent === "clarify" ? " unsupported" : "");
    box.setAttribute("data-intent", a.intent);
    var p = el("p", "ask-text", a.answer);
    p.setAttribute("data-testid", "answer-text");
    p.appendChild(el("span", "ask-badge", a.intent));
    p.appendChild(el("span", "ask-badge", a.provider === "local" ? "local engine" : a.provider));
    box.appendChild(p);
    if (a.reading) {
      var how = el("p", "muted small", a.reading);
      how.setAttribute("data-testid", "answer-reading");
      box.appendChild(how);
    }
    if (a.clarify && a.clarify.options && a.clarify.options.length) {
      var opts = el("div", "ask-chips");
      opts.setAttribute("data-testid", "answer-clarify");
      a.clarify.options.forEach(function (o, i) {
        var b = el("button", "chip", o); b.type = "button";
        b.setAttribute("data-question", (a.clarify.questions || [])[i] || o);
        opts.appendChild(b);
      });
      box.appendChild(opts);
    }
    (a.notes || []).forEach(function (n) { box.appendChild(el("p", "muted small", n)); });
    var fig = figure(a);
    if (fig && window.Plotly) {
      var c = el("div", "ask-chart");
      c.setAttribute("data-testid", "answer-chart");
      box.appendChild(c);
      window.Plotly.newPlot(c, fig.data, Object.assign({ paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
        autosize: true, height: 300 }, fig.layout), { displaylogo: false, responsive: true });
    }
    if (a.table && a.table.rows && a.table.rows.length) { box.appendChild(table(a.table)); }
    if (a.definitions && a.definitions.length) {
      var defs = el("div");
      a.definitions.forEach(function (d) {
        defs.appendChild(el("p", null, d.label + ": " + (d.description || "") + (d.formula ? "  [" + d.formula + "]" : "")));
      });
      box.appendChild(details("Definitions", defs, "answer-definitions"));
    }
    if (a.sql) { box.appendChild(details("SQL (" + (a.sql_statements || []).length + " statement(s))", el("pre", null, a.sql), "answer-sql")); }
    var scope = a.scope && a.scope.description ? "Scope: " + a.scope.description : "";
    var src = (a.sources || []).map(function (s) { return s.table + (s.as_of ? " (as of " + s.as_of + ")" : ""); }).join(", ");
    box.appendChild(el("p", "muted small", [scope, src ? "Sources: " + src : "", "confidence " + Math.round((a.confidence || 0) * 100) + "%"].filter(Boolean).join(" · ")));
    if (a.suggestions && a.suggestions.length) {
      var sug = el("div", "ask-chips");
      a.suggestions.forEach(function (q) { var b = el("button", "chip", q); b.type = "button"; b.setAttribute("data-question", q); sug.appendChild(b); });
      box.appendChild(sug);
    }
    if (turnId) { box.appendChild(feedback(turnId)); }
    if (window.revintelExportWired && a.intent !== "unsupported" && a.intent !== "clarify" && box.dataset.asked) {
      box.appendChild(exportButtons("ask", { question: box.dataset.asked }));
    }
  }

  /** PDF/PowerPoint export of one answer (handled by /static/export.js). */
  function exportButtons(view, params) {
    var span = el("span", "export-buttons");
    span.setAttribute("data-export-view", view);
    span.setAttribute("data-export-params", JSON.stringify(params));
    [["pdf", "Export PDF"], ["pptx", "Export PowerPoint"]].forEach(function (f) {
      var b = el("button", "btn ghost small", f[1]); b.type = "button"; b.setAttribute("data-export-format", f[0]);
      span.appendChild(b);
    });
    var status = el("span", "export-progress muted"); status.setAttribute("role", "status");
    span.appendChild(status);
    return span;
  }

  function feedback(turnId) {
    var f = el("div", "ask-feedback"), up = el("button", "btn ghost small", "👍"), down = el("button", "btn ghost small", "👎");
    var comment = el("input"); comment.placeholder = "Comment (optional)"; comment.maxLength = 2000;
    var status = el("span", "muted small");
    [up, down].forEach(function (b, i) {
      b.type = "button";
      b.setAttribute("data-testid", i === 0 ? "thumbs-up" : "thumbs-down");
      b.addEventListener("click", function () {
        window.revintel.post("/api/ask/feedback", { turn_id: turnId, rating: i === 0 ? 1 : -1, comment: comment.value || null })
          .then(function () { status.textContent = "Thanks — feedback saved."; })
          .catch(function (e) { status.textContent = (e && e.message) || "Could not save feedback."; });
      });
    });
    f.appendChild(up); f.appendChild(down); f.appendChild(comment); f.appendChild(status);
    return f;
  }

  /** The shell's global region/capability filters (they narrow the scope of every question). */
  function globalFilters() {
    var here = new URLSearchParams(window.location.search), out = new URLSearchParams();
    ["region", "capability"].forEach(function (k) { if (here.get(k)) { out.set(k, here.get(k)); } });
    var q = out.toString();
    return q ? "?" + q : "";
  }

  function parseEvents(buffer, onEvent) {
    var parts = buffer.split("\n\n");
    var rest = parts.pop();
    parts.forEach(function (block) {
      var name = "message", data = "";
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event: ") === 0) { name = line.slice(7); }
        if (line.indexOf("data: ") === 0) { data += line.slice(6); }
      });
      if (data) { onEvent(name, JSON.parse(data)); }
    });
    return rest;
  }

  function ask(question) {
    question = (question || "").trim();
    if (!question) { return; }
    thread.appendChild(el("div", "ask-q", question));
    var box = el("div", "card ask-a"), steps = el("div", "ask-steps", "Reading the question…");
    box.setAttribute("data-testid", "answer");
    box.dataset.asked = question;
    box.appendChild(steps);
    thread.appendChild(box);
    box.scrollIntoView({ behavior: "smooth", block: "end" });
    input.value = "";
    var body = { question: question, conversation_id: form.dataset.conversation || null };
    fetch("/api/ask/stream" + globalFilters(), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf(), "Accept": "text/event-stream" },
      body: JSON.stringify(body)
    }).then(function (r) {
      if (!r.ok) { return r.json().then(function (j) { throw j; }); }
      var reader = r.body.getReader(), decoder = new TextDecoder(), buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) { return; }
          buffer = parseEvents(buffer + decoder.decode(chunk.value, { stream: true }), function (name, payload) {
            if (name === "understood") {
              var q = payload.request || {};
              var when = q.period ? String(q.period).split("|").pop() : "";
              steps.textContent = "Understood: " + [q.intent, q.metric, when, q.dimension ? "by " + q.dimension : ""].filter(Boolean).join(" · ");
            } else if (name === "query") {
              steps.textContent += " → ran " + (payload.sql || []).length + " governed query(ies)";
            } else if (name === "answer") {
              var a = payload.answer;
              if (a.conversation_id && !form.dataset.conversation) {
                form.dataset.conversation = a.conversation_id;
                var keep = new URLSearchParams(window.location.search);
                keep.set("c", a.conversation_id);
                history.replaceState(null, "", "/ask?" + keep.toString());
              }
              var s = steps.textContent;
              renderAnswer(box, a, a.turn_id);
              box.insertBefore(el("div", "ask-steps", s), box.firstChild);
            } else if (name === "error") {
              box.className = "card ask-a unsupported";
              steps.textContent = (payload.message || "Something went wrong") + (payload.hint ? " — " + payload.hint : "");
            }
          });
          return pump();
        });
      }
      return pump();
    }).catch(function (e) {
      box.className = "card ask-a unsupported";
      steps.textContent = (e && (e.message || e.error)) || "The question could not be answered.";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    thread = document.getElementById("ask-thread");
    form = document.getElementById("ask-form");
    input = document.getElementById("ask-input");
    if (!form) { return; }
    JSON.parse(document.getElementById("ask-turns").textContent || "[]").forEach(function (t) {
      thread.appendChild(el("div", "ask-q", t.question));
      var box = el("div", "card ask-a");
      box.setAttribute("data-testid", "answer");
      box.dataset.asked = t.question;
      thread.appendChild(box);
      renderAnswer(box, t.answer, t.id);
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); e.stopPropagation(); ask(input.value); }, true);
    document.addEventListener("click", function (e) {
      var chip = e.target.closest("[data-question]");
      if (chip) { ask(chip.getAttribute("data-question")); return; }
      var ren = e.target.closest("[data-rename]");
      if (ren) {
        var title = window.prompt("New title");
        if (title) {
          fetch("/api/ask/conversations/" + ren.getAttribute("data-rename"), { method: "PATCH", credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() }, body: JSON.stringify({ title: title }) })
            .then(function () { window.location.reload(); });
        }
        return;
      }
      var del = e.target.closest("[data-delete]");
      if (del && window.confirm("Delete this conversation?")) {
        fetch("/api/ask/conversations/" + del.getAttribute("data-delete"), { method: "DELETE", credentials: "same-origin",
          headers: { "X-CSRF-Token": csrf() } }).then(function () { window.location.href = "/ask"; });
      }
    });
  });
})();
