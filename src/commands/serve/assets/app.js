// boomtown live: the page sends the scenario and the levers moved to the
// server, which runs the model (the same code and validation as the command
// line) and streams progress and the result as JSON lines. Nothing is computed
// here but the drawing: every number shown comes from the server's run.
"use strict";

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
};

const COLOURS = ["#1f5fa8", "#c2410c", "#15803d", "#7e22ce", "#57534e", "#0e7490", "#be185d", "#a16207"];

const state = {
  catalog: null,
  scenario: null,       // the scenario's description and levers, from the server
  values: {},           // lever id -> value as typed
  current: null,        // {request, command, toml, outcome, label}
  pinned: null,         // the same, for run A
  lesson: null,
  controller: null,     // aborts the run in flight
  runs: 0,
  charts: [],
  onResult: null,       // what to do after the next result (lesson mode)
};

// ---------------------------------------------------------------- start

async function start() {
  const response = await fetch("/api/catalog");
  state.catalog = await response.json();
  for (const s of state.catalog.scenarios) {
    $("scenario").append(el("option", { value: s.name, text: s.name, title: s.description }));
  }
  for (const l of state.catalog.lessons) {
    $("lesson").append(el("option", { value: String(l.number), text: `${l.number}. ${l.title}` }));
  }
  $("replicates").max = state.catalog.max_replicates;
  const wanted = new URLSearchParams(location.hash.slice(1));
  $("population").value = state.catalog.teaching.population;
  $("replicates").value = state.catalog.teaching.replicates;
  $("seed").value = 1;
  $("scenario").addEventListener("change", () => { leaveLesson(); loadScenario($("scenario").value, true); });
  $("lesson").addEventListener("change", () => startLesson($("lesson").value));
  $("large").addEventListener("change", () => { document.body.classList.toggle("large", $("large").checked); drawCharts(); });
  for (const id of ["population", "replicates", "seed"]) {
    $(id).addEventListener("change", () => schedule());
  }
  $("full-scale").addEventListener("click", () => {
    if (state.scenario) { $("population").value = state.scenario.population; schedule(); }
  });
  $("reset").addEventListener("click", () => { resetLevers(); schedule(); });
  $("cancel").addEventListener("click", cancel);
  $("pin").addEventListener("click", pin);
  $("unpin").addEventListener("click", () => { state.pinned = null; render(); });
  for (const b of document.querySelectorAll("[data-file]")) {
    b.addEventListener("click", () => download(b.dataset.file));
  }
  let resizeTimer = null;
  window.addEventListener("resize", () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(drawCharts, 150); });
  if (wanted.get("lesson")) {
    $("lesson").value = wanted.get("lesson");
    startLesson(wanted.get("lesson"));
  } else {
    const name = wanted.get("scenario") || "hegang-like";
    await loadScenario(state.catalog.scenarios.some((s) => s.name === name) ? name : state.catalog.scenarios[0].name, true);
  }
}

// ---------------------------------------------------------------- levers

async function loadScenario(name, run) {
  $("scenario").value = name;
  const response = await fetch(`/api/scenario/${encodeURIComponent(name)}`);
  const body = await response.json();
  if (!response.ok) { showError(body); return; }
  state.scenario = body;
  $("description").textContent = body.description;
  buildLevers();
  if (run) await runNow();
}

function buildLevers() {
  const box = $("levers");
  box.replaceChildren();
  state.values = {};
  const groups = new Map();
  for (const lever of state.scenario.levers) {
    if (!groups.has(lever.group)) {
      const fs = el("fieldset", {}, el("legend", { text: lever.group }));
      groups.set(lever.group, fs);
      box.append(fs);
    }
    groups.get(lever.group).append(leverControl(lever));
    state.values[lever.id] = lever.value;
  }
  for (const fs of groups.values()) updatePolicyShade(fs);
}

function leverControl(lever) {
  const id = `lever-${lever.id}`;
  const wrap = el("div", { class: "lever" + (lever.input === "toggle" ? " switch" : ""), "data-id": lever.id });
  const changed = (value) => {
    state.values[lever.id] = value;
    updatePolicyShade(wrap.closest("fieldset"));
    schedule();
  };
  if (lever.input === "toggle") {
    const box = el("input", { type: "checkbox", id });
    box.checked = lever.value === "true";
    box.addEventListener("change", () => changed(box.checked ? "true" : "false"));
    wrap.append(el("label", { for: id }, box, document.createTextNode(lever.label)));
  } else {
    wrap.append(el("label", { for: id, text: `${lever.label}` + (lever.unit ? ` (${lever.unit})` : "") }));
    const inputs = el("div", { class: "inputs" });
    if (lever.input === "month") {
      // The months a policy may start in to act within the run.
      const [min, max] = (lever.months || []).map((m) => m || undefined);
      const input = el("input", { type: "month", id, value: lever.value, min, max });
      input.addEventListener("change", () => changed(input.value));
      inputs.append(input);
    } else if (lever.input === "choice") {
      const select = el("select", { id });
      for (const option of lever.options) {
        select.append(el("option", { value: option, text: option }));
      }
      select.value = lever.value;
      select.addEventListener("change", () => changed(select.value));
      inputs.append(select);
    } else {
      const number = el("input", { type: "number", id, value: lever.value, step: lever.step ?? "any", inputmode: "decimal" });
      if (lever.min !== null) number.min = lever.min;
      if (lever.max !== null) number.max = lever.max;
      if (lever.min !== null && lever.max !== null) {
        // The slider offers the usual range; the number box takes any value,
        // which the model's validation accepts or refuses with its reason.
        const range = el("input", { type: "range", min: lever.min, max: lever.max, step: lever.step ?? "any", value: lever.value, "aria-label": `${lever.label}, slider` });
        range.addEventListener("input", () => { number.value = range.value; });
        range.addEventListener("change", () => { number.value = range.value; changed(range.value); });
        number.addEventListener("change", () => { range.value = number.value; changed(number.value); });
        inputs.append(range);
      } else {
        number.addEventListener("change", () => changed(number.value));
      }
      inputs.append(number);
    }
    wrap.append(inputs);
  }
  wrap.append(el("p", { class: "help", text: lever.help }));
  if (lever.source) wrap.append(el("p", { class: "source", text: `source: ${lever.source}` }));
  wrap.append(el("p", { class: "error", id: `error-${lever.id}`, role: "alert" }));
  return wrap;
}

// A policy's settings are greyed out while the policy is off.
function updatePolicyShade(fieldset) {
  if (!fieldset) return;
  const toggle = fieldset.querySelector(".lever.switch input");
  fieldset.classList.toggle("off", !!toggle && !toggle.checked);
}

function resetLevers() {
  buildLevers();
}

function changedLevers() {
  const out = {};
  for (const lever of state.scenario.levers) {
    const v = state.values[lever.id];
    if (v !== undefined && v !== lever.value) out[lever.id] = String(v);
  }
  return out;
}

// ---------------------------------------------------------------- runs

function request() {
  const number = (id) => ($(id).value.trim() === "" ? null : Number($(id).value));
  return {
    scenario: state.scenario.name,
    levers: changedLevers(),
    population: number("population"),
    replicates: number("replicates"),
    seed: number("seed"),
  };
}

let timer = null;
function schedule() {
  clearTimeout(timer);
  timer = setTimeout(runNow, 250);
}

function cancel() {
  if (state.controller) state.controller.abort();
}

function setStatus(kind, text, fraction) {
  $("status").dataset.state = kind;
  $("status-text").textContent = text;
  if (fraction === null) $("progress").removeAttribute("value");
  else if (fraction !== undefined) $("progress").value = fraction;
  $("cancel").hidden = kind !== "running";
}

function clearErrors() {
  for (const e of document.querySelectorAll(".error")) e.textContent = "";
  for (const i of document.querySelectorAll("[aria-invalid]")) i.removeAttribute("aria-invalid");
}

function showError(body) {
  const field = body.field;
  const target = field && $(`error-${field}`);
  if (target) {
    target.textContent = body.error;
    const input = $(field) || $(`lever-${field}`);
    if (input) input.setAttribute("aria-invalid", "true");
  } else {
    $("error-run").textContent = body.error;
  }
  setStatus("error", "not run: see the message" + (target ? " next to the control" : ""), 0);
}

async function runNow() {
  if (!state.scenario) return;
  cancel();
  const controller = new AbortController();
  state.controller = controller;
  const req = request();
  setStatus("running", "running…", null);
  const started = performance.now();
  let response;
  try {
    response = await fetch("/api/run", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(req),
      signal: controller.signal,
    });
  } catch (e) {
    if (controller.signal.aborted) { if (state.controller === controller) setStatus("cancelled", "cancelled", 0); return; }
    showError({ error: `the server did not answer: ${e.message}` });
    return;
  }
  if (!response.ok) {
    clearErrors();
    showError(await response.json().catch(() => ({ error: `the server answered ${response.status}` })));
    return;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n")) >= 0) {
        const event = JSON.parse(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 1);
        handle(event, req, started);
      }
    }
  } catch (e) {
    if (controller.signal.aborted) {
      if (state.controller === controller) setStatus("cancelled", "cancelled", 0);
      return;
    }
    showError({ error: `the run was cut off: ${e.message}` });
  }
}

function handle(event, req, started) {
  switch (event.event) {
    case "queued":
      setStatus("running", "waiting for other runs to finish…", null);
      break;
    case "progress":
      if (event.total > 0) {
        const f = event.months / event.total;
        setStatus("running", `running… ${Math.round(100 * f)} %`, f);
      }
      break;
    case "result": {
      clearErrors();
      state.runs += 1;
      state.current = {
        request: req,
        command: event.command,
        toml: event.toml,
        outcome: event.outcome,
        uncertain: event.uncertain,
        label: describe(req),
      };
      const seconds = (performance.now() - started) / 1000;
      setStatus("done", `done in ${seconds.toFixed(1)} s (${event.outcome.replicates} replicates)`, 1);
      $("status").dataset.run = String(state.runs);
      render();
      if (state.onResult) { const next = state.onResult; state.onResult = null; next(); }
      break;
    }
    case "cancelled":
      setStatus("cancelled", "cancelled", 0);
      break;
    case "error":
      showError({ error: event.error });
      break;
  }
}

// A short name for a run: its scenario and the levers moved.
function describe(req) {
  const moved = Object.entries(req.levers).map(([k, v]) => `${k.split(".").slice(-2).join(".")}=${v}`);
  return req.scenario + (moved.length ? ` (${moved.join(", ")})` : "");
}

function pin() {
  if (!state.current) return;
  state.pinned = state.current;
  render();
}

async function download(file) {
  if (!state.current) return;
  const status = $("download-status");
  status.textContent = `preparing ${file} (the full run, with charts)…`;
  const response = await fetch(`/api/export/${file}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(state.current.request),
  });
  if (!response.ok) {
    const body = await response.json().catch(() => ({ error: String(response.status) }));
    status.textContent = `could not prepare ${file}: ${body.error}`;
    return;
  }
  const blob = await response.blob();
  const a = el("a", { href: URL.createObjectURL(blob), download: file });
  document.body.append(a);
  a.click();
  a.remove();
  status.textContent = `${file} downloaded`;
}

// ---------------------------------------------------------------- lessons

function leaveLesson() {
  state.lesson = null;
  $("lesson").value = "";
  $("lesson-panel").hidden = true;
}

// A lesson runs its first scenario, pins it as A, then runs the second as B.
async function startLesson(number) {
  if (!number) { leaveLesson(); return; }
  const lesson = state.catalog.lessons.find((l) => String(l.number) === String(number));
  if (!lesson) return;
  state.lesson = lesson;
  $("lesson-title").textContent = `Lesson ${lesson.number}. ${lesson.title}`;
  // The lesson's Markdown emphasis and code marks, as plain text.
  const plain = (t) => t.replace(/\*\*|`/g, "");
  $("lesson-question").textContent = plain(lesson.question);
  $("lesson-look").replaceChildren(...lesson.look_at.map((t) => el("li", { text: plain(t) })));
  $("lesson-discuss").replaceChildren(...lesson.discuss.map((t) => el("li", { text: plain(t) })));
  $("lesson-panel").hidden = false;
  state.pinned = null;
  const [first, second] = lesson.scenarios;
  if (second) {
    state.onResult = () => { pin(); loadScenario(second, true); };
  }
  await loadScenario(first, true);
}

// ---------------------------------------------------------------- drawing

const series = (outcome, name) => outcome.series.find((s) => s.name === name);
const last = (s, q = "p50") => { const b = s.bands[s.bands.length - 1]; return b ? b[q] : NaN; };
const years = (outcome) => outcome.dates.map((d) => Number(d.slice(0, 4)) + (Number(d.slice(5, 7)) - 1) / 12);

const fmt = {
  share: (x) => `${(100 * x).toFixed(1)} %`,
  pct: (x) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)} %`,
  count: (x) => Math.round(x).toLocaleString("en"),
  money: (x) => `${x.toFixed(1)} M yuan`,
  plain: (x) => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString("en") : x.toFixed(2)),
};

// The main indicators: what a class asks first.
function cards(outcome) {
  const pop = series(outcome, "population_index");
  const unemp = series(outcome, "unemployment_rate");
  const youth = series(outcome, "youth_unemployment_rate");
  const aged = series(outcome, "share_aged_60_plus");
  const score = (name) => outcome.scorecard.find((s) => s.name === name);
  const peak = (s) => Math.max(...s.bands.map((b) => (b ? b.p50 : -Infinity)));
  const end = outcome.dates[outcome.dates.length - 1].slice(0, 4);
  const start = outcome.dates[0].slice(0, 4);
  const band = (s) => s.bands[s.bands.length - 1];
  const fromScore = (name, f) => { const s = score(name); return s && s.band ? { v: s.band.p50, lo: s.band.p05, hi: s.band.p95, f } : { v: NaN, f }; };
  return [
    // population_index is 100 at the start.
    { key: "population_change", label: `Population ${start}→${end}`, v: last(pop) / 100 - 1, lo: band(pop).p05 / 100 - 1, hi: band(pop).p95 / 100 - 1, f: fmt.pct },
    { key: "peak_unemployment", label: "Peak unemployment (median path)", v: peak(unemp), f: fmt.share },
    { key: "final_unemployment", label: `Unemployment in ${end}`, v: last(unemp), lo: band(unemp).p05, hi: band(unemp).p95, f: fmt.share },
    { key: "peak_youth_unemployment", label: "Peak youth unemployment (median path)", v: peak(youth), f: fmt.share },
    { key: "aged_60_plus", label: `Aged 60+ in ${end}`, v: last(aged), lo: band(aged).p05, hi: band(aged).p95, f: fmt.share },
    { key: "displaced_workers", label: "Workers displaced", ...fromScore("displaced_workers", fmt.count) },
    { key: "reemployed_within_24_months", label: "Displaced re-employed within 2 years", ...fromScore("reemployed_within_24_months", fmt.share) },
    { key: "public_cost_total", label: "Public cost of policies", ...fromScore("public_cost_total", fmt.money) },
  ].concat(
    // What employers pay shows where they pay anything: a cost moved off the
    // public purse is still a cost.
    (score("employer_cost_early_retirement")?.band?.p50 ?? 0) > 0
      ? [{ key: "employer_cost_early_retirement", label: "Paid by employers", ...fromScore("employer_cost_early_retirement", fmt.money) }]
      : [],
  );
}

function renderCards() {
  const box = $("cards");
  box.replaceChildren();
  if (!state.current) return;
  const now = cards(state.current.outcome);
  const before = state.pinned ? cards(state.pinned.outcome) : null;
  now.forEach((c, i) => {
    const card = el("div", { class: "card", "data-indicator": c.key, "data-value": String(c.v) },
      el("div", { class: "label", text: c.label }),
      el("div", { class: "value", text: Number.isFinite(c.v) ? c.f(c.v) : "—" }));
    if (Number.isFinite(c.lo)) card.append(el("div", { class: "range", text: `5–95 %: ${c.f(c.lo)} to ${c.f(c.hi)}` }));
    if (before && Number.isFinite(before[i].v)) card.append(el("div", { class: "versus", text: `A: ${before[i].f(before[i].v)}` }));
    box.append(card);
  });
}

// Each chart: a title, the series it draws (by column of timeseries.csv), how
// to show their unit, and what to say under it.
function chartSpecs(outcome) {
  const sectors = outcome.series.filter((s) => s.name.startsWith("employed_") && s.name !== "employed_per_resident").map((s) => s.name);
  const wages = outcome.series.filter((s) => s.name.startsWith("mean_wage_")).map((s) => s.name);
  return [
    { id: "population", title: "Residents", lines: [["population", "residents"]], f: fmt.count },
    { id: "unemployment", title: "Unemployment", lines: [["unemployment_rate", "all 16–59"], ["youth_unemployment_rate", "aged 16–24"]], f: fmt.share,
      caption: "Unemployment can fall while a city declines: people leave, retire or stop looking (see the displaced workers' chart)." },
    { id: "jobs", title: "Jobs by sector", lines: sectors.map((n) => [n, n.replace("employed_", "")]), f: fmt.count },
    { id: "migration", title: "Moves in and out (per year)", lines: [["in_migrants", "arrived"], ["out_migrants", "left"]], f: fmt.count,
      caption: "Out-migration alone is only half of the story: see the net balance beside." },
    { id: "net-migration", title: "Net migration (per 1,000 residents a year)", lines: [["net_migration_rate", "arrived − left"]], f: fmt.plain },
    { id: "ageing", title: "Older residents", lines: [["share_aged_60_plus", "aged 60+"], ["share_aged_65_plus", "aged 65+"]], f: fmt.share },
    { id: "displaced", title: "Where the displaced workers are", lines: [["displaced_employed", "employed"], ["displaced_unemployed", "unemployed"], ["displaced_retired", "retired"], ["displaced_left", "left the city"], ["displaced_inactive", "out of the labour force"]], f: fmt.count },
    { id: "wage", title: "Mean wage (yuan / month)", lines: [["mean_wage", "mean wage"]], f: fmt.plain,
      caption: "Wages grow at each sector's assumed yearly real wage growth (see the TOML below), so the mean can rise in a shrinking city." },
    { id: "sector-wages", title: "Wages by sector (yuan / month)", lines: wages.map((n) => [n, n.replace("mean_wage_", "").replaceAll("_", " ")]), f: fmt.plain,
      caption: "Where people work on their own, more hands share the same customers: an income that stalls while others grow is work that hides unemployment." },
  ];
}

function drawCharts() {
  for (const c of state.charts) c.destroy();
  state.charts = [];
  const box = $("charts");
  box.replaceChildren();
  if (!state.current) return;
  const runs = [["B", state.current]];
  if (state.pinned) runs.unshift(["A", state.pinned]);
  const large = document.body.classList.contains("large");
  // Say what the bands are: chance alone, or chance and the scenario's
  // uncertain parameters.
  const uncertain = state.current.uncertain || [];
  box.append(el("p", { class: "caption bands", id: "bands-note", text:
    `Lines: medians over ${state.current.outcome.replicates} replicates; shaded: 5–95 % of them. ` +
    (uncertain.length
      ? `The spread is chance and ${uncertain.length} uncertain parameter${uncertain.length > 1 ? "s" : ""} (${uncertain.join(", ")}).`
      : "The scenario has no uncertain parameters: the spread is chance alone, not what the assumptions leave open (see `boomtown sensitivity`).") }));
  for (const spec of chartSpecs(state.current.outcome)) {
    const card = el("div", { class: "chart", id: `chart-${spec.id}` }, el("h3", { text: spec.title }));
    const plot = el("div", { class: "plot" });
    const legend = el("div", { class: "legend" });
    card.append(plot, legend);
    if (spec.caption) card.append(el("p", { class: "caption", text: spec.caption }));
    box.append(card);
    // One x axis for every run: the dates of the current run (runs of the
    // same scenario family share them; a pinned run of other dates is drawn
    // where its dates fall, and missing where they do not).
    const x = years(state.current.outcome);
    const data = [x];
    const uSeries = [{}];
    const bands = [];
    let colour = 0;
    for (const [tag, run] of runs) {
      const xs = years(run.outcome);
      const align = (values) => x.map((t) => { const i = xs.findIndex((u) => Math.abs(u - t) < 1e-6); return i < 0 ? null : values[i]; });
      const dashed = tag === "A" && runs.length > 1;
      const lines = spec.lines.map(([name, label]) => [series(run.outcome, name), label]).filter(([s]) => s);
      lines.forEach(([s, label], k) => {
        const c = COLOURS[(k + colour) % COLOURS.length];
        const get = (q) => align(s.bands.map((b) => (b ? b[q] : null)));
        const base = data.length;
        data.push(get("p05"), get("p95"), get("p50"));
        uSeries.push({ stroke: "transparent", points: { show: false } }, { stroke: "transparent", points: { show: false } },
          { stroke: c, width: large ? 3 : 2, dash: dashed ? [6, 4] : undefined, points: { show: false }, label: `${runs.length > 1 ? tag + ": " : ""}${label}` });
        bands.push({ series: [base + 1, base], fill: c + (dashed ? "22" : "33") });
        legend.append(el("span", { class: dashed ? "dashed" : "", style: `--swatch:${c}`, text: `${runs.length > 1 ? tag + ": " : ""}${label}` }));
      });
    }
    const width = Math.max(240, plot.clientWidth || card.clientWidth - 16);
    const font = `${large ? 16 : 12}px system-ui, sans-serif`;
    const chart = new uPlot({
      width,
      height: Math.round(Math.min(320, Math.max(180, width * 0.5))),
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false } },
      axes: [
        { font, values: (u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : "")) },
        { font, size: large ? 90 : 70, values: (u, ticks) => ticks.map((t) => spec.f(t)) },
      ],
      series: uSeries,
      bands,
    }, data, plot);
    state.charts.push(chart);
  }
}

function renderScorecard() {
  const table = $("scorecard");
  table.replaceChildren();
  if (!state.current) return;
  const a = state.pinned;
  const head = el("tr", {}, el("th", { text: "Indicator" }), el("th", { text: "Unit" }));
  if (a) head.append(el("th", { text: "A" }));
  head.append(el("th", { text: a ? "B" : "Median" }), el("th", { text: "5–95 %" }));
  if (a) head.append(el("th", { text: "B − A" }));
  table.append(el("thead", {}, head));
  const body = el("tbody");
  let group = null;
  const show = (s) => (s.unit === "share" ? fmt.share : s.unit === "million yuan" ? fmt.money : fmt.plain);
  for (const s of state.current.outcome.scorecard) {
    if (s.group !== group) {
      group = s.group;
      body.append(el("tr", { class: "group" }, el("th", { colspan: a ? 6 : 4, text: group.replace(/_/g, " ") })));
    }
    const f = show(s);
    const row = el("tr", { "data-indicator": s.name, "data-value": s.band ? String(s.band.p50) : "" },
      el("td", { text: s.label, title: s.description }), el("td", { text: s.unit }));
    const other = a && a.outcome.scorecard.find((t) => t.name === s.name);
    if (a) row.append(el("td", { class: "num a", text: other && other.band ? f(other.band.p50) : "—" }));
    row.append(el("td", { class: "num b", text: s.band ? f(s.band.p50) : "—" }),
      el("td", { class: "num", text: s.band ? `${f(s.band.p05)} – ${f(s.band.p95)}` : "—" }));
    if (a) {
      const d = other && other.band && s.band ? s.band.p50 - other.band.p50 : NaN;
      row.append(el("td", { class: "num diff", text: Number.isFinite(d) ? (d >= 0 ? "+" : "−") + f(Math.abs(d)) : "—" }));
    }
    body.append(row);
  }
  table.append(body);
}

function render() {
  $("pin").hidden = !state.current;
  $("unpin").hidden = !state.pinned;
  $("pinned-label").textContent = state.pinned ? `A: ${state.pinned.label} — B: ${state.current.label}` : "";
  renderCards();
  drawCharts();
  renderScorecard();
  if (state.current) {
    $("command").textContent = state.current.command;
    $("toml").textContent = state.current.toml;
  }
  $("command-a-box").hidden = !state.pinned;
  $("command-a").textContent = state.pinned ? state.pinned.command : "";
}

start().catch((e) => showError({ error: `the app could not start: ${e.message}` }));
