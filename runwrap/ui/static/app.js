// runwrap ui: the runs table, charts and run pages. Plain DOM: every value from a run goes
// into the page as a text node or an attribute, never as markup.
"use strict";

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const ROW_HEIGHT = 29;          // px, as app.css draws a row (28 + border)
const TABLE_REFRESH_MS = 5000;
const GL_POINTS = 20000;        // above this many points in one chart, draw with WebGL

// plotly.js is megabytes to compile on a first visit, and compiling holds the page's only
// thread. index.html preloads it (downloaded beside the page's own requests); it is run once
// the charts in view have been sketched on canvases (loadPlotly), so the first charts need not
// wait for it. plotlyReady: whether it loaded.
let plotlyLoaded = null;
const plotlyReady = new Promise(resolve => { plotlyLoaded = resolve; });
let plotlyAsked = false;
function loadPlotly() {
  if (plotlyAsked) return;
  plotlyAsked = true;
  const script = document.createElement("script");
  script.src = "/static/plotly.min.js";
  script.onload = () => plotlyLoaded(typeof Plotly !== "undefined");
  script.onerror = () => plotlyLoaded(false);
  document.head.append(script);
}
const PLOTLY_AT_LATEST = 1500;  // ms: charts slower than this to arrive do not hold plotly back

// ---------------------------------------------------------------------------------------------
// small helpers

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "checked" || k === "value" || k === "selected") el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

async function api(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) v.forEach(x => q.append(k, x)); else q.append(k, v);
  }
  const res = await fetch(path + (q.toString() ? "?" + q : ""));
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

function fmtValue(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (Number.isInteger(v)) return String(v);
    return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : String(+v.toPrecision(5));
  }
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function fmtTime(t) {
  if (!t) return "";
  const d = new Date(t * 1000);
  const p = n => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

function fmtDuration(s) {
  if (typeof s !== "number" || !isFinite(s)) return "";
  s = Math.round(s);
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  if (hh) return `${hh}h${String(mm).padStart(2, "0")}m`;
  if (mm) return `${mm}m${String(ss).padStart(2, "0")}s`;
  return `${ss}s`;
}

function fmtSize(n) {
  const units = ["B", "KB", "MB", "GB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return i ? `${n.toFixed(1)} ${units[i]}` : `${n} B`;
}

function runHref(key) { return "#/run/" + key.split("/").map(encodeURIComponent).join("/"); }
function fileUrl(key, path) {
  return "/files/" + key.split("/").concat(path.split("/")).map(encodeURIComponent).join("/");
}
function colorOf(i) {
  return i < PALETTE.length ? PALETTE[i] : `hsl(${(i * 137.5) % 360}, 60%, 45%)`;
}

// Views register what they must stop when the page moves on (timers, event streams).
let cleanups = [];
function onLeave(fn) { cleanups.push(fn); }
function leave() { cleanups.forEach(fn => { try { fn(); } catch (e) { /* already closed */ } }); cleanups = []; }

function route() {
  leave();
  const main = document.getElementById("main");
  main.replaceChildren();
  const hash = location.hash.slice(1) || "/";
  const [path, query] = hash.split("?");
  const params = new URLSearchParams(query || "");
  document.querySelectorAll("[data-nav]").forEach(a => a.classList.remove("active"));
  if (path.startsWith("/run/")) {
    loadPlotly();
    const key = path.slice(5).split("/").map(decodeURIComponent).join("/");
    runPage(main, key, params);
  } else if (path.startsWith("/sweep/")) {
    loadPlotly();
    document.querySelector('[data-nav="runs"]').classList.add("active");
    sweepPage(main, decodeURIComponent(path.slice(7)));
  } else if (path.startsWith("/runs")) {
    loadPlotly();
    document.querySelector('[data-nav="runs"]').classList.add("active");
    runsPage(main, params);
  } else {  // the first look: charts
    document.querySelector('[data-nav="charts"]').classList.add("active");
    chartsPage(main, params);
  }
}

// The rows in view: the runs table's project, filter and grouping, kept in its URL and for the
// session, so the charts' first look shows the newest runs of what the table shows.
const VIEW_KEYS = ["project", "filter", "group"];
function savedView() {
  try { return JSON.parse(sessionStorage.getItem("runwrap.view") || "{}") || {}; } catch (e) { return {}; }
}
function saveView(view) { sessionStorage.setItem("runwrap.view", JSON.stringify(view)); }
function hashWith(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "" && v !== false) q.set(k, v === true ? "1" : v);
  // Run keys and filters stay readable in the address: / , : need no escape in a fragment.
  const text = q.toString().replace(/%2F/g, "/").replace(/%2C/g, ",").replace(/%3A/g, ":");
  return "#" + path + (text ? "?" + text : "");
}
// The page's address follows what it shows, without a reload (replaceState fires no hashchange).
function showInAddress(path, params) { history.replaceState(null, "", hashWith(path, params)); }

// ---------------------------------------------------------------------------------------------
// runs table

const state = {
  selected: new Set(JSON.parse(sessionStorage.getItem("runwrap.selected") || "[]")),
  sort: { key: "start_time", asc: false },
};
function saveSelection() { sessionStorage.setItem("runwrap.selected", JSON.stringify([...state.selected])); }

const GROUPS = { "": "no grouping", group: "group", job: "job", sweep: "sweep" };
const FILTER_HELP = "filter: words, status:running, tag:best, group:G, job:J, sweep:S, lr<0.01, optimizer=adam";

function runsPage(main, params) {
  let data = null;
  let rows = [];       // what is drawn: runs, and group headers when grouping
  // An address that names any of the view's settings names them all (a link is the whole
  // view); the bare #/runs comes back to the session's last one.
  const linked = VIEW_KEYS.some(k => params.has(k));
  const view = { project: "", filter: "", group: "" };
  for (const k of VIEW_KEYS) view[k] = (linked ? params.get(k) : savedView()[k]) || "";
  const collapsed = new Set();
  let configKeys = params.get("config") ?? localStorage.getItem("runwrap.configKeys");
  let metricKeys = params.get("metrics") ?? localStorage.getItem("runwrap.metricKeys");
  if (params.get("sort")) state.sort = { key: params.get("sort"), asc: params.get("asc") === "1" };
  function remember() {
    saveView({ project: view.project, filter: view.filter, group: view.group });
    showInAddress("/runs", { project: view.project, filter: view.filter, group: view.group,
      config: params.has("config") ? configKeys : "", metrics: params.has("metrics") ? metricKeys : "",
      sort: state.sort.key !== "start_time" || state.sort.asc ? state.sort.key : "", asc: state.sort.asc });
  }

  let typing = null;
  const text = h("input", { type: "search", placeholder: "filter: lr<0.01 status:running tag:best …", id: "filter-text", size: 34,
    title: FILTER_HELP, value: view.filter,
    oninput: e => { clearTimeout(typing); typing = setTimeout(() => { view.filter = e.target.value.trim(); remember(); load(); }, 250); } });
  const project = h("select", { id: "filter-project", onchange: e => { view.project = e.target.value; remember(); load(); } });
  const status = h("select", { id: "filter-status", onchange: e => {
    const rest = view.filter.split(/\s+/).filter(t => t && !t.startsWith("status:"));
    if (e.target.value) rest.unshift("status:" + e.target.value);
    view.filter = rest.join(" "); text.value = view.filter; remember(); load();
  } }, h("option", { value: "" }, "any status"),
    ["running", "finished", "failed", "killed", "stopped", "crashed"].map(s => h("option", { value: s, selected: view.filter.split(/\s+/).includes("status:" + s) }, s)));
  const groupSel = h("select", { id: "group-by", onchange: e => { view.group = e.target.value; collapsed.clear(); remember(); render(); } },
    Object.entries(GROUPS).map(([v, l]) => h("option", { value: v, selected: v === view.group }, v ? "group by " + l : l)));
  const cfgInput = h("input", { type: "text", placeholder: "config columns (a,b)", size: 18, id: "config-columns",
    list: "config-keys", onchange: e => { configKeys = e.target.value; localStorage.setItem("runwrap.configKeys", configKeys); load(); } });
  const metInput = h("input", { type: "text", placeholder: "metric columns (loss,acc)", size: 18, id: "metric-columns",
    list: "metric-names", onchange: e => { metricKeys = e.target.value; localStorage.setItem("runwrap.metricKeys", metricKeys); load(); } });
  const cfgList = h("datalist", { id: "config-keys" });
  const metList = h("datalist", { id: "metric-names" });
  const chartBtn = h("button", { id: "chart-selected", onclick: () => {
    location.hash = hashWith("/charts", { runs: [...state.selected].join(",") });
  } }, "Chart selected");
  const clearBtn = h("button", { class: "secondary", onclick: () => { state.selected.clear(); saveSelection(); render(); } }, "Clear");
  const count = h("span", { class: "muted", id: "run-count" });
  const problem = h("div", { class: "error", id: "filter-error" });
  main.append(h("div", { class: "toolbar" }, project, text, status, groupSel, cfgInput, metInput, cfgList, metList, chartBtn, clearBtn, count), problem);

  const wrap = h("div", { class: "table-wrap", id: "runs-table" });
  const table = h("table", { class: "runs" });
  const thead = h("thead");
  const tbody = h("tbody");
  table.append(thead, tbody);
  wrap.append(table);
  main.append(wrap);
  wrap.addEventListener("scroll", () => drawRows());

  function columns() {
    const cols = [
      { key: "status", label: "Status", get: r => r.status, cell: r => h("span", { class: "status " + r.status }, r.status) },
      { key: "project", label: "Project", get: r => r.project },
      { key: "name", label: "Name", get: r => r.name || r.id, cell: r => h("a", { href: runHref(r.key) }, r.name || r.id) },
      { key: "id", label: "ID", get: r => r.id },
      { key: "tags", label: "Tags", get: r => r.tags.join(","), cell: r => r.tags.map(t => h("span", { class: "tag" }, t)) },
      { key: "group", label: "Group", get: r => r.group },
      { key: "job", label: "Job", get: r => r.job, cell: r => r.job ? `${r.job} · ${r.parts} part${r.parts === 1 ? "" : "s"}` : "" },
      { key: "sweep", label: "Sweep", get: r => r.sweep },
      { key: "start_time", label: "Started", get: r => r.start_time || 0, cell: r => fmtTime(r.start_time) },
      { key: "duration", label: "Duration", get: r => r.duration, cell: r => fmtDuration(r.duration), num: true },
      { key: "exit_code", label: "Exit", get: r => r.exit_code, num: true },
      { key: "sync", label: "Sync", get: r => r.sync },
    ].filter(c => !["job", "sweep"].includes(c.key) || data.runs.some(r => r[c.key]));
    // Config columns say so in their header: a config key and a metric may share a name (lr).
    for (const k of data.config_keys) cols.push({ key: "c:" + k, label: h("span", {}, h("span", { class: "muted" }, "config "), k), get: r => r.config[k], num: true, cell: r => fmtValue(r.config[k]) });
    for (const m of data.metrics) cols.push({ key: "m:" + m, label: m, get: r => r.metrics[m], num: true, cell: r => fmtValue(r.metrics[m]) });
    return cols;
  }

  function compare(col) {
    const dir = state.sort.asc ? 1 : -1;
    return (a, b) => {
      const x = col.get(a), y = col.get(b);
      if (x === y) return 0;
      if (x === null || x === undefined || x === "") return 1;
      if (y === null || y === undefined || y === "") return -1;
      return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y))) * dir;
    };
  }

  function render() {
    if (!data) return;
    const cols = columns();
    const col = cols.find(c => c.key === state.sort.key) || cols.find(c => c.key === "start_time");
    const runs = data.runs.slice().sort(compare(col));
    rows = runs;
    if (view.group) {
      // Groups in the order of their first run under the sort; runs without one last.
      const groups = new Map();
      for (const r of runs) {
        const g = r[view.group] || "";
        if (!groups.has(g)) groups.set(g, []);
        groups.get(g).push(r);
      }
      const names = [...groups.keys()].sort((a, b) => (a === "") - (b === ""));
      rows = [];
      for (const g of names) {
        const members = groups.get(g);
        rows.push({ header: true, name: g, runs: members });
        if (!collapsed.has(g)) rows.push(...members);
      }
    }
    const allBox = h("input", { type: "checkbox", title: "select all shown", onchange: e => {
      runs.forEach(r => e.target.checked ? state.selected.add(r.key) : state.selected.delete(r.key));
      saveSelection(); drawRows(true); counts();
    } });
    thead.replaceChildren(h("tr", {}, h("th", {}, allBox), cols.map(c => h("th", {
      class: (c.key === col.key ? "sorted" + (state.sort.asc ? " asc" : "") : ""), "data-column": c.key,
      onclick: () => { state.sort = { key: c.key, asc: c.key === state.sort.key ? !state.sort.asc : c.key === "name" || c.key === "project" }; remember(); render(); },
    }, c.label))));
    counts();
    drawRows(true);
  }

  function counts() {
    count.textContent = `${data.runs.length} of ${data.listed} runs · ${state.selected.size} selected`;
    chartBtn.disabled = state.selected.size === 0;
  }

  let drawn = "";
  function drawRows(force) {
    if (!data) return;
    const cols = columns();
    const first = Math.max(0, Math.floor(wrap.scrollTop / ROW_HEIGHT) - 10);
    const visible = Math.ceil(wrap.clientHeight / ROW_HEIGHT) + 20;
    const last = Math.min(rows.length, first + visible);
    const sig = first + ":" + last;
    if (!force && sig === drawn) return;
    drawn = sig;
    const span = cols.length + 1;
    const out = [h("tr", { class: "spacer" }, h("td", { colspan: span, style: `height:${first * ROW_HEIGHT}px` }))];
    for (let i = first; i < last; i++) {
      const r = rows[i];
      if (r.header) { out.push(groupRow(r, span)); continue; }
      const box = h("input", { type: "checkbox", checked: state.selected.has(r.key), "data-key": r.key, onchange: e => {
        e.target.checked ? state.selected.add(r.key) : state.selected.delete(r.key);
        saveSelection(); counts();
      } });
      out.push(h("tr", { class: "run", "data-key": r.key }, h("td", {}, box),
        cols.map(c => h("td", { class: c.num ? "num" : "" }, c.cell ? c.cell(r) : fmtValue(c.get(r))))));
    }
    out.push(h("tr", { class: "spacer" }, h("td", { colspan: span, style: `height:${(rows.length - last) * ROW_HEIGHT}px` })));
    tbody.replaceChildren(...out);
  }

  function groupRow(g, span) {
    const open = !collapsed.has(g.name);
    const statuses = {};
    g.runs.forEach(r => { statuses[r.status] = (statuses[r.status] || 0) + 1; });
    const box = h("input", { type: "checkbox", title: "select the group's runs", checked: g.runs.every(r => state.selected.has(r.key)), onchange: e => {
      g.runs.forEach(r => e.target.checked ? state.selected.add(r.key) : state.selected.delete(r.key));
      saveSelection(); drawRows(true); counts();
    } });
    const keys = g.runs.map(r => r.key);
    return h("tr", { class: "group-row", "data-group": g.name }, h("td", {}, box), h("td", { colspan: span - 1 },
      h("a", { href: "#", class: "toggle", onclick: e => { e.preventDefault(); open ? collapsed.add(g.name) : collapsed.delete(g.name); render(); } }, open ? "▾ " : "▸ "),
      h("b", {}, g.name || `(no ${GROUPS[view.group]})`), " ",
      h("span", { class: "muted" }, `${g.runs.length} run${g.runs.length === 1 ? "" : "s"} · ` + Object.entries(statuses).map(([s, n]) => `${n} ${s}`).join(", ")), " ",
      h("a", { href: hashWith("/charts", { runs: keys.slice(0, 100).join(",") }) }, "charts"),
      view.group === "sweep" && g.name ? [" · ", h("a", { href: "#/sweep/" + encodeURIComponent(g.name) }, "sweep")] : ""));
  }

  async function load() {
    try {
      data = await api("/api/runs", { config: configKeys === null ? undefined : configKeys,
                                      metrics: metricKeys === null ? undefined : metricKeys,
                                      project: view.project || undefined, filter: view.filter || undefined });
      problem.textContent = "";
    } catch (e) {
      problem.textContent = e.message;
      return;
    }
    project.replaceChildren(h("option", { value: "" }, "all projects"), ...data.projects.map(p => h("option", { value: p, selected: p === view.project }, p)));
    cfgList.replaceChildren(...data.all_config_keys.map(k => h("option", { value: k })));
    metList.replaceChildren(...data.all_metrics.map(k => h("option", { value: k })));
    if (document.activeElement !== cfgInput) cfgInput.value = data.config_keys.join(",");
    if (document.activeElement !== metInput) metInput.value = data.metrics.join(",");
    render();
  }
  remember();
  // Refreshed while shown; a store of thousands of runs costs the server about a second a
  // listing, so it is refreshed less often.
  let timer = null;
  const again = () => { timer = setTimeout(async () => { if (!document.hidden) await load(); again(); },
                                             data && data.runs.length > 1000 ? 4 * TABLE_REFRESH_MS : TABLE_REFRESH_MS); };
  load().then(again);
  onLeave(() => { clearTimeout(timer); clearTimeout(typing); });
}

// ---------------------------------------------------------------------------------------------
// charts

function smooth(ys, weight) {
  if (!weight) return ys;
  const out = new Array(ys.length);
  let last = 0, debias = 0;
  for (let i = 0; i < ys.length; i++) {
    last = last * weight + (1 - weight) * ys[i];
    debias = debias * weight + (1 - weight);
    out[i] = last / debias;
  }
  return out;
}

const NEWEST = 10;  // runs the first look charts

// Charts of `runs=` from the address, or, with none named, of the newest runs of what the runs
// table shows (its project and filter). The address keeps the runs and the chart settings, so
// a link opens the same view.
function chartsPage(main, params) {
  const named = (params.get("runs") || "").split(",").filter(Boolean);
  if (named.length) { chartRuns(main, named, params, null); return; }
  const view = savedView();
  const scope = { project: params.get("project") || view.project || "", filter: params.get("filter") || view.filter || "",
                  count: Math.max(1, Math.min(1000, +params.get("newest") || NEWEST)) };
  chartRuns(main, [], params, scope);  // the runs come with the metric names
}

// `keys`: the runs to chart; none with `newest` ({count, project, filter}): the newest runs
// the server finds, in the same answer as their metric names.
function chartRuns(main, keys, params, newest) {
  const opts = { x: params.get("x") || localStorage.getItem("runwrap.x") || "step",
                 smoothing: +(params.get("smoothing") || localStorage.getItem("runwrap.smoothing") || 0),
                 log: params.get("log") === "1", search: params.get("search") || "", steps: params.get("steps") === "1" };
  // The address names the runs shown (a link reproduces the view even after newer runs came).
  const remember = () => showInAddress("/charts", { runs: keys.join(","), x: opts.x !== "step" && opts.x,
    smoothing: opts.smoothing || "", log: opts.log, search: opts.search, steps: opts.steps });
  if (keys.length) remember();
  const names = {};
  const charts = new Map();   // metric -> chart object
  const searchBox = h("input", { type: "search", placeholder: "search metrics", id: "metric-search", value: opts.search,
    oninput: e => { opts.search = e.target.value.toLowerCase(); filterCharts(); remember(); } });
  const xSel = h("select", { id: "x-axis", onchange: e => { opts.x = e.target.value; localStorage.setItem("runwrap.x", opts.x); remember(); charts.forEach(c => { c.range = null; if (c.loaded) c.reload(); }); } },
    [["step", "step"], ["relative", "relative time (s)"], ["wall", "wall time"]].map(([v, l]) => h("option", { value: v, selected: v === opts.x }, l)));
  const smoothIn = h("input", { type: "range", min: 0, max: 0.99, step: 0.01, value: opts.smoothing, id: "smoothing",
    oninput: e => { opts.smoothing = +e.target.value; smoothLabel.textContent = opts.smoothing.toFixed(2); localStorage.setItem("runwrap.smoothing", opts.smoothing); remember(); charts.forEach(c => c.draw()); } });
  const smoothLabel = h("span", { class: "muted" }, opts.smoothing.toFixed(2));
  const logBox = h("input", { type: "checkbox", id: "log-scale", checked: opts.log, onchange: e => { opts.log = e.target.checked; remember(); charts.forEach(c => c.draw()); } });
  const stepsBox = h("input", { type: "checkbox", id: "step-keys", checked: opts.steps, onchange: e => { opts.steps = e.target.checked; remember(); filterCharts(); } });
  const stepsLabel = h("label", { title: "metrics that are the step of their own records (step=N on the console): a line against the step" }, stepsBox, "step keys");
  const legend = h("div", { id: "legend" });
  const scopeNote = newest ? h("div", { class: "muted", id: "first-look" }) : "";
  const sidebar = h("aside", { class: "sidebar" },
    h("h3", {}, "Metrics"), searchBox, stepsLabel,
    h("h3", {}, "X axis"), xSel,
    h("h3", {}, "Smoothing"), h("label", {}, smoothIn, smoothLabel),
    h("label", {}, logBox, "log scale (y)"),
    h("h3", {}, "Runs"), scopeNote, legend);
  const stepKeys = new Set();
  const grid = h("div", { class: "chart-grid", id: "charts" });
  const sysGrid = h("div", { class: "chart-grid", id: "system-charts" });
  const sysTitle = h("h3", { class: "section-title" }, "System");
  const content = h("div", {}, grid, sysTitle, sysGrid);
  main.append(h("div", { class: "charts-layout" }, sidebar, content));

  plotlyReady.then(ok => {
    // The canvas sketches stay; hover, zoom and log scale need plotly.js.
    if (!ok) content.prepend(h("div", { class: "error" }, "Interactive charts need plotly: pip install 'runwrap[ui]', then restart runwrap ui."));
  });

  const sketching = new Set();  // charts whose first data is on its way before plotly runs
  const preloaded = new Map();  // metric -> its series, sent with the metric names
  setTimeout(loadPlotly, PLOTLY_AT_LATEST);
  const observer = new IntersectionObserver(entries => {
    for (const e of entries) if (e.isIntersecting) { const c = charts.get(e.target.dataset.metric); if (c && !c.loaded) c.reload(); }
  }, { rootMargin: "300px" });
  onLeave(() => observer.disconnect());

  function filterCharts() {
    charts.forEach((c, m) => {
      const shown = (!opts.search || m.toLowerCase().includes(opts.search)) && (opts.steps || !stepKeys.has(m));
      c.el.style.display = shown ? "" : "none";
    });
  }

  function makeChart(metric, parent) {
    const plot = h("div", { class: "plot" });
    const el = h("div", { class: "chart", "data-metric": metric }, h("h4", {}, metric), plot);
    parent.append(el);
    const c = { el, plot, metric, loaded: false, series: {}, range: null, busy: false, pending: false };
    c.buckets = () => Math.max(200, Math.min(2000, Math.round(plot.clientWidth || 600)));
    c.reload = async () => {
      c.loaded = true;
      if (!plotlyAsked && !c.drawn) sketching.add(c);
      const params = { metric, run: keys.join(","), x: opts.x, width: c.buckets() };
      if (c.range) { params.lo = c.range[0]; params.hi = c.range[1]; }
      const sent = !c.range && preloaded.get(metric);  // came with the metric names
      preloaded.delete(metric);
      const body = sent ? { series: sent } : await api("/api/series", params);
      c.series = {};
      for (const s of body.series) c.series[s.run] = { xs: s.xs, ys: s.ys, count: s.count, shown: s.xs.length };
      // A chart's first drawing is a canvas sketch, painted at once; plotly (seconds to compile
      // on a first visit, and costly to lay out for many runs) takes over in a later task.
      if (c.drawn) { c.draw(true); return; }
      c.sketch();
      if (sketching.delete(c) && !sketching.size) nextPaint().then(loadPlotly);
      if (!await plotlyReady) return;
      await nextPaint();
      c.draw(true);
    };
    c.sketch = () => {
      const lines = [];
      keys.forEach((k, i) => { const s = c.series[k]; if (s && s.xs.length) lines.push({ xs: s.xs, ys: smooth(s.ys, opts.smoothing), color: colorOf(i) }); });
      if (!opts.log && sketch(plot, lines, opts.x === "wall")) el.dataset.sketched = String(lines.length);
    };
    c.update = async (changed) => {
      // Only what the changed runs gained since the points this chart holds.
      if (!c.loaded || c.range) return;
      if (c.busy) { c.pending = true; return; }
      c.busy = true;
      try {
        const runs = changed.filter(k => c.series[k]);
        if (!runs.length) return;
        const body = await api("/api/series", { metric, run: runs.join(","), x: opts.x, width: c.buckets(),
                                                since: runs.map(k => c.series[k].count || 0).join(",") });
        let reset = false, grew = false;
        for (const s of body.series) {
          const mine = c.series[s.run];
          if (s.reset || !mine.count) { reset = true; continue; }
          if (!s.xs || !s.xs.length) continue;
          mine.xs = mine.xs.concat(s.xs); mine.ys = mine.ys.concat(s.ys); mine.count = s.count; grew = true;
          if (mine.xs.length > 4 * c.buckets()) reset = true;  // grown past what a redraw needs: fetch it downsampled
        }
        if (reset) await c.reload(); else if (grew) c.draw(false);
      } finally {
        c.busy = false;
        if (c.pending) { c.pending = false; c.update(changed); }
      }
    };
    c.draw = (fresh) => {
      if (!c.loaded) return;
      if (typeof Plotly === "undefined") { c.sketch(); return; }
      const drawnBefore = plot.querySelector("canvas.sketch");
      if (drawnBefore) drawnBefore.remove();
      const traces = [];
      let total = 0;
      keys.forEach(k => { if (c.series[k]) total += c.series[k].xs.length; });
      const type = total > GL_POINTS ? "scattergl" : "scatter";
      keys.forEach((k, i) => {
        const s = c.series[k];
        if (!s || !s.xs.length) return;
        const xs = opts.x === "wall" ? s.xs.map(v => v * 1000) : s.xs;
        const color = colorOf(i);
        if (opts.smoothing > 0) {
          traces.push({ type, mode: "lines", x: xs, y: s.ys, line: { color, width: 1 }, opacity: 0.25, hoverinfo: "skip", showlegend: false });
        }
        traces.push({ type, mode: s.xs.length === 1 ? "markers" : "lines", x: xs, y: smooth(s.ys, opts.smoothing), name: names[k] || k,
          line: { color, width: 1.6 }, marker: { color }, hovertemplate: "%{y:.6g} @ %{x}<extra>" + escapeTemplate(names[k] || k) + "</extra>" });
      });
      const layout = {
        margin: { l: 52, r: 10, t: 8, b: 36 }, showlegend: false, hovermode: "closest",
        xaxis: { title: { text: { step: "step", relative: "seconds", wall: "" }[opts.x] }, type: opts.x === "wall" ? "date" : "linear",
                 autorange: c.range ? false : true, range: c.range ? c.range.map(v => opts.x === "wall" ? v * 1000 : v) : undefined },
        yaxis: { type: opts.log ? "log" : "linear", autorange: true },
        uirevision: metric + opts.x,
      };
      Plotly.react(plot, traces, layout, { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] });
      c.drawn = true;
      el.dataset.series = String(traces.filter(t => t.showlegend !== false).length);
      el.dataset.points = String(Object.values(c.series).reduce((n, s) => n + s.xs.length, 0));
      if (fresh && !plot.dataset.bound) {
        plot.dataset.bound = "1";
        plot.on("plotly_relayout", ev => {
          if (ev["xaxis.autorange"]) { c.range = null; c.reload(); return; }
          let lo = ev["xaxis.range[0]"], hi = ev["xaxis.range[1]"];
          if (lo === undefined && ev["xaxis.range"]) [lo, hi] = ev["xaxis.range"];
          if (lo === undefined) return;
          if (opts.x === "wall") { lo = toSeconds(lo); hi = toSeconds(hi); }
          c.range = [+lo, +hi];
          c.reload();  // the zoomed range again at full resolution
        });
      }
    };
    charts.set(metric, c);
    observer.observe(el);
    return c;
  }

  async function start() {
    let metricsBody;
    try {
      // The series of the charts first in view come with the names: one answer to wait for.
      const columns = Math.max(1, Math.floor((grid.clientWidth + 12) / (460 + 12)));
      const width = Math.max(200, Math.min(2000, Math.round((grid.clientWidth - 12 * (columns - 1)) / columns - 14)));
      const first = columns * Math.ceil((window.innerHeight + 300) / 312);
      const which = newest ? { newest: newest.count, project: newest.project || undefined, filter: newest.filter || undefined }
                           : { run: keys.join(",") };
      metricsBody = await api("/api/metrics", Object.assign(which, { first, x: opts.x, width }));
      if (newest) {
        keys = metricsBody.runs;
        if (!keys.length) {
          main.replaceChildren(h("div", { class: "empty" }, newest.project || newest.filter
            ? "No runs match the runs table's filter: change it in the " : "No runs in this store yet: record one with `runwrap python train.py`, or see the ",
            h("a", { href: "#/runs" }, "runs table"), "."));
          return;
        }
        remember();
        scopeNote.append(`newest ${keys.length} runs`, newest.project ? ` of ${newest.project}` : "",
          newest.filter ? ` matching ${newest.filter}` : "", " · ",
          h("a", { href: hashWith("/runs", { project: newest.project, filter: newest.filter }) }, "choose in the table"));
      }
      for (const [m, series] of Object.entries(metricsBody.series || {})) preloaded.set(m, series);
      Object.assign(names, metricsBody.names);
      legend.replaceChildren(...keys.map((k, i) => h("div", { class: "legend-item", title: k },
        h("span", { class: "swatch", style: `background:${colorOf(i)}` }), h("a", { href: runHref(k) }, names[k] || k))));
    } catch (e) {
      content.replaceChildren(h("div", { class: "error" }, e.message));
      return;
    }
    for (const m of metricsBody.metrics) makeChart(m, grid);
    for (const m of metricsBody.steps) { stepKeys.add(m); makeChart(m, grid); }
    stepsLabel.lastChild.textContent = `step keys (${metricsBody.steps.length})`;
    stepsLabel.style.display = metricsBody.steps.length ? "" : "none";
    for (const m of metricsBody.system) makeChart(m, sysGrid);
    sysTitle.style.display = metricsBody.system.length ? "" : "none";
    if (!metricsBody.metrics.length && !metricsBody.system.length && !metricsBody.steps.length) grid.append(h("div", { class: "empty" }, "These runs have no numeric metrics yet."));
    filterCharts();
    let metricsChecked = Date.now();
    live(keys, null, ev => {
      if (!ev.runs) return;
      const changed = Object.keys(ev.runs);
      if (Date.now() - metricsChecked > 3000) {  // a metric first logged after the page opened
        metricsChecked = Date.now();
        api("/api/metrics", { run: keys.join(",") }).then(b => {
          b.metrics.forEach(m => charts.has(m) || makeChart(m, grid));
          b.steps.forEach(m => { stepKeys.add(m); charts.has(m) || makeChart(m, grid); });
          b.system.forEach(m => charts.has(m) || makeChart(m, sysGrid));
          sysTitle.style.display = b.system.length ? "" : "none";
          filterCharts();
        });
      }
      charts.forEach(c => c.update(changed));
    });
  }
  start();
}

// Until plotly.js is ready (a first visit parses megabytes of it), a chart is drawn on a
// canvas: the same points, colours, margins and axes, without hover or zoom; plotly then takes
// over in place. Returns whether it drew.
function sketch(plot, lines, wallTime) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const l of lines) {
    for (let i = 0; i < l.xs.length; i++) {
      const x = l.xs[i], y = l.ys[i];
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
  }
  if (!isFinite(x0) || !isFinite(y0)) return false;
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  if (y1 === y0) { y0 -= 1; y1 += 1; }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad; y1 += pad;
  const w = plot.clientWidth || 600, ht = plot.clientHeight || 270, ratio = window.devicePixelRatio || 1;
  const m = { l: 52, r: 10, t: 8, b: 36 };  // plotly's margins in c.draw: the hand-over does not jump
  const canvas = h("canvas", { class: "sketch", width: Math.round(w * ratio), height: Math.round(ht * ratio), style: `width:${w}px;height:${ht}px` });
  const g = canvas.getContext("2d");
  g.scale(ratio, ratio);
  const px = x => m.l + (x - x0) / (x1 - x0) * (w - m.l - m.r);
  const py = y => ht - m.b - (y - y0) / (y1 - y0) * (ht - m.t - m.b);
  g.font = "11px system-ui, sans-serif";
  g.fillStyle = "#444";
  g.strokeStyle = "#eee";
  g.textAlign = "right";
  for (const t of ticks(y0, y1, 5)) {
    g.beginPath(); g.moveTo(m.l, py(t)); g.lineTo(w - m.r, py(t)); g.stroke();
    g.fillText(fmtTick(t), m.l - 4, py(t) + 4);
  }
  g.textAlign = "center";
  for (const t of ticks(x0, x1, 6)) {
    const label = wallTime ? new Date(t * 1000).toTimeString().slice(0, 5) : fmtTick(t);
    g.fillText(label, px(t), ht - m.b + 14);
  }
  g.lineWidth = 1.6;
  for (const l of lines) {
    g.strokeStyle = l.color;
    g.beginPath();
    for (let i = 0; i < l.xs.length; i++) (i ? g.lineTo : g.moveTo).call(g, px(l.xs[i]), py(l.ys[i]));
    g.stroke();
  }
  plot.replaceChildren(canvas);
  return true;
}

function nextPaint() {
  return new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

function ticks(lo, hi, count) {
  const raw = (hi - lo) / count, unit = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / unit;
  const step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * unit;
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) out.push(+t.toPrecision(12));
  return out;
}

function fmtTick(v) {
  const a = Math.abs(v);
  return a >= 1e5 || (a < 1e-3 && v !== 0) ? v.toExponential(1) : String(+v.toPrecision(4));
}

function escapeTemplate(s) {
  // plotly's hovertemplate reads %{...} and renders a few tags: show a run's name literally.
  return String(s).replace(/[&<>"'%{}]/g, ch => "&#" + ch.charCodeAt(0) + ";");
}

function toSeconds(v) {
  // Back from plotly's date axis (milliseconds, shown and reported in local time) to unix seconds.
  if (typeof v === "number") return v / 1000;
  return Date.parse(String(v).replace(" ", "T")) / 1000;
}

// One live connection per page, whatever the number of views that follow runs (charts, the
// console, statuses): browsers keep about six connections to a host, tabs included. Views
// subscribe; the page's one EventSource on /api/live watches the union of their runs and is
// opened again when that changes. EventSource reconnects by itself after a broken connection.
const hub = { subs: new Set(), source: null, pending: false, url: "" };
function live(keys, watched, onEvent) {
  // watched: {run, name} of a console to follow too, or null
  const sub = { keys, watched, onEvent };
  hub.subs.add(sub);
  hubChanged();
  const stop = () => { if (hub.subs.delete(sub)) hubChanged(); };
  onLeave(stop);
  return { close: stop };
}
function hubChanged() {
  if (hub.pending) return;
  hub.pending = true;
  queueMicrotask(() => {
    hub.pending = false;
    const keys = new Set();
    let watched = null;
    hub.subs.forEach(s => { s.keys.forEach(k => keys.add(k)); if (s.watched) watched = s.watched; });
    const q = new URLSearchParams({ run: [...keys].join(",") });
    if (watched) { q.set("console", watched.name); q.set("console_run", watched.run); }
    const url = keys.size ? "/api/live?" + q : "";
    if (url === hub.url) return;
    if (hub.source) hub.source.close();
    hub.source = null;
    hub.url = url;
    if (!url) return;
    hub.source = new EventSource(url);
    hub.source.onmessage = e => {
      const ev = JSON.parse(e.data);
      hub.subs.forEach(s => s.onEvent(ev));
    };
  });
}

// ---------------------------------------------------------------------------------------------
// sweep page

// A sweep: its trials' parameters and metric side by side (parallel coordinates, one line a
// trial, coloured by the metric), the best trials ranked, and the metric over steps of the
// best few. The metric is whatever the sweep optimises (`metric.name`).
const BEST_CHARTED = 5;

async function sweepPage(main, id) {
  let d;
  try { d = await api("/api/sweep", { id }); } catch (e) {
    main.append(h("div", { class: "error" }, `no sweep ${id}: ${e.message}`)); return;
  }
  const metric = d.metric.name || "";
  const goal = d.metric.goal || "minimize";
  const states = {};
  d.trials.forEach(t => { states[t.state] = (states[t.state] || 0) + 1; });
  const scored = d.trials.filter(t => typeof t.value === "number" && isFinite(t.value));
  const keys = d.trials.filter(t => t.run).map(t => t.run);
  main.append(h("div", { class: "run-head" }, h("h2", { id: "sweep-name" }, d.name || d.id),
    h("span", { class: "status " + (d.state === "stopped" ? "stopped" : "running") }, d.state),
    h("span", { class: "muted" }, `${d.method || ""} · ${goal} ${metric} · ` + Object.entries(states).map(([s, n]) => `${n} ${s}`).join(", ")),
    h("a", { href: hashWith("/runs", { filter: `sweep:${d.id}`, group: "sweep" }) }, "runs →"),
    keys.length ? h("a", { href: hashWith("/charts", { runs: keys.slice(0, 100).join(",") }) }, "charts →") : ""));
  if (!scored.length) { main.append(h("div", { class: "empty" }, `No trial has reported ${metric || "its metric"} yet.`)); return; }

  const coords = h("div", { class: "plot", id: "sweep-coords", style: "height:340px" });
  const overTime = h("div", { class: "plot", id: "sweep-best", style: "height:300px" });
  const params = [...new Set(scored.flatMap(t => Object.keys(t.params || {})))];
  const ranked = h("table", { class: "kv", id: "sweep-trials" },
    h("tr", {}, ["rank", "trial", "run", "state", metric].concat(params).map(t => h("th", {}, t))),
    scored.map((t, i) => h("tr", { "data-trial": t.number }, h("td", {}, i + 1), h("td", {}, t.number),
      h("td", {}, t.run ? h("a", { href: runHref(t.run) }, t.run.split("/")[1]) : ""),
      h("td", {}, h("span", { class: "status " + t.state }, t.state)), h("td", {}, fmtValue(t.value)),
      params.map(p => h("td", {}, fmtValue((t.params || {})[p]))))));
  main.append(card("Parameters and " + metric, coords), card(`${metric} of the best ${Math.min(BEST_CHARTED, scored.length)} trials`, overTime),
    card(`Trials by ${metric} (${goal === "maximize" ? "highest" : "lowest"} first)`, h("div", { class: "table-scroll" }, ranked)));
  if (!await plotlyReady) { coords.replaceChildren(h("div", { class: "error" }, "Charts need plotly: pip install 'runwrap[ui]'.")); return; }

  // One axis a parameter (numbers as numbers, a log axis where they span decades; other
  // values as categories), the metric last; a line a trial.
  const dimensions = params.map(p => {
    const values = scored.map(t => (t.params || {})[p]);
    if (values.every(v => typeof v === "number")) {
      const positive = values.every(v => v > 0);
      const span = positive ? Math.max(...values) / Math.min(...values) : 0;
      if (span >= 100) {
        const logs = values.map(Math.log10);
        const lo = Math.floor(Math.min(...logs)), hi = Math.ceil(Math.max(...logs));
        const ticks = []; for (let e = lo; e <= hi; e++) ticks.push(e);
        return { label: p + " (log)", values: logs, tickvals: ticks, ticktext: ticks.map(e => fmtValue(Math.pow(10, e))) };
      }
      return { label: p, values };
    }
    const names = [...new Set(values.map(v => fmtValue(v)))].sort();
    return { label: p, values: values.map(v => names.indexOf(fmtValue(v))), tickvals: names.map((_, i) => i), ticktext: names };
  });
  const ys = scored.map(t => t.value);
  dimensions.push({ label: metric, values: ys });
  Plotly.newPlot(coords, [{ type: "parcoords", dimensions,
    line: { color: ys, colorscale: "Viridis", reversescale: goal !== "maximize", showscale: true, colorbar: { title: { text: metric }, thickness: 12 } } }],
    { margin: { l: 60, r: 60, t: 40, b: 20 } }, { displaylogo: false, responsive: true });
  coords.dataset.trials = String(ys.length);

  const best = scored.filter(t => t.run).slice(0, BEST_CHARTED);
  const body = await api("/api/series", { metric, run: best.map(t => t.run).join(","), x: "step", width: Math.max(200, overTime.clientWidth || 800) });
  const traces = body.series.map((s, i) => ({ type: "scatter", mode: s.xs.length === 1 ? "markers" : "lines", x: s.xs, y: s.ys,
    name: `#${best[i].number} ${fmtValue(best[i].value)}`, line: { color: colorOf(i), width: 1.6 } }));
  Plotly.newPlot(overTime, traces, { margin: { l: 52, r: 10, t: 8, b: 36 }, xaxis: { title: { text: "step" } }, legend: { orientation: "h" } },
    { displaylogo: false, responsive: true });
  overTime.dataset.series = String(traces.length);
}

// ---------------------------------------------------------------------------------------------
// run page

function kvTable(pairs) {
  return h("table", { class: "kv" }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, v instanceof Node ? v : fmtValue(v)))));
}

function card(title, ...body) { return h("section", { class: "card" }, h("h3", {}, title), ...body); }

function diffBlock(text) {
  return h("pre", { class: "code" }, text.split("\n").map(line => h("span", {
    class: line.startsWith("@@") ? "hunk" : line.startsWith("+") && !line.startsWith("+++") ? "add" : line.startsWith("-") && !line.startsWith("---") ? "del" : null,
  }, line + "\n")));
}

async function runPage(main, key, params) {
  let d;
  try { d = await api("/api/run", { run: key }); } catch (e) {
    main.append(h("div", { class: "error" }, `no run ${key}: ${e.message}`)); return;
  }
  const m = d.meta;
  const git = m.git || {};
  const head = h("div", { class: "run-head" }, h("h2", { id: "run-name" }, m.name || m.id),
    h("span", { class: "status " + m.status, id: "run-status" }, m.status),
    h("span", { class: "muted" }, key),
    h("a", { href: hashWith("/charts", { runs: key }) }, "charts →"));
  // The run's group, job and sweep link to the runs that share them.
  const among = (fact, value) => value ? h("a", { href: hashWith("/runs", { filter: `${fact}:"${value}"`, group: fact }) }, value) : null;
  const job = m.job && typeof m.job === "object" ? String(m.job.id ?? m.job.launcher ?? "") : "";
  const sweep = d.sweep || "";
  const facts = card("Run", kvTable([
    ["id", m.id], ["project", m.project], ["entity", m.entity], ["group", among("group", m.group)], ["job type", m.job_type],
    ["job", job ? h("span", {}, among("job", job), ` · ${(m.parts || []).length} parts`) : null], ["sweep", sweep ? h("a", { href: "#/sweep/" + encodeURIComponent(sweep) }, sweep) : null],
    ["tags", (m.tags || []).length ? h("span", {}, (m.tags || []).map(t => h("span", { class: "tag" }, t))) : null],
    ["notes", m.notes], ["started", fmtTime(m.start_time)], ["ended", fmtTime(m.end_time)],
    ["duration", fmtDuration(d.duration)], ["exit code", m.exit_code], ["signal", m.signal],
    ["command", Array.isArray(m.command) ? m.command.join(" ") : m.command], ["cwd", m.cwd],
    ["host", m.host], ["user", m.user], ["python", m.python], ["platform", m.platform],
    ["sync", m.sync && m.sync.state], ["mlflow", m.sync && m.sync.url],
  ]));
  const gitCard = card("Git", kvTable([["commit", git.commit], ["branch", git.branch], ["remote", git.remote],
    ["dirty", git.dirty === undefined ? null : String(git.dirty)]]));
  if (d.diff_patch) {
    const btn = h("button", { class: "secondary", id: "show-diff", onclick: async () => {
      const res = await fetch(fileUrl(key, "diff.patch"));
      btn.replaceWith(diffBlock(await res.text()));
    } }, "show diff.patch");
    gitCard.append(btn);
  }

  const configCard = card("Config", configTable(d.config));
  const other = h("select", { id: "diff-against" }, h("option", { value: "" }, "compare config with…"));
  api("/api/runs", { config: "", metrics: "" }).then(b => {
    for (const r of b.runs) if (r.key !== key) other.append(h("option", { value: r.key }, `${r.project}/${r.name || r.id} (${r.id})`));
  });
  const diffOut = h("div");
  other.addEventListener("change", async () => {
    if (!other.value) { diffOut.replaceChildren(); return; }
    const b = await api("/api/diff", { a: key, b: other.value });
    diffOut.replaceChildren(b.keys.length ? h("table", { class: "kv", id: "config-diff" },
      h("tr", {}, h("th", {}, "key"), h("th", {}, "this run"), h("th", {}, other.value)),
      b.keys.map(r => h("tr", {}, h("td", {}, r.key), h("td", {}, r.only === "b" ? "—" : fmtValue(r.a)), h("td", {}, r.only === "a" ? "—" : fmtValue(r.b)))))
      : h("div", { class: "muted" }, "same config"));
  });
  configCard.append(h("div", { class: "toolbar", style: "margin-top:8px" }, other), diffOut);

  const summaryCard = card("Summary", summaryTable(d.summary, d.user_summary, m.status));
  const consoleCard = consoleView(key, d.consoles, m.status, params.get("part") ? `output.${params.get("part")}.log` : null);
  const partsCard = Array.isArray(m.parts) && m.parts.length ? partsView(key, m.parts, consoleCard) : null;
  const mediaCard = mediaView(key, d.media);
  const filesCard = filesView(key, d.files);
  const hasGit = git.commit || d.diff_patch;
  main.append(head, h("div", { class: "grid2" }, h("div", {}, facts, hasGit ? gitCard : ""), h("div", {}, configCard, summaryCard)),
    partsCard || "", mediaCard || "", consoleCard, filesCard || "");
}

function configTable(config) {
  const keys = Object.keys(config || {});
  if (!keys.length) return h("div", { class: "muted" }, "no config");
  return kvTable(keys.sort().map(k => [k, config[k]]));
}

function summaryTable(summary, user, status) {
  if (!summary) return h("div", { class: "muted" }, "no summary");
  if (summary.live) {
    const keys = Object.keys(summary.live).sort((a, b) => (a.startsWith("system/") - b.startsWith("system/")) || a.localeCompare(b));
    return h("div", {}, h("div", { class: "muted" }, status === "running" ? "running: last values so far" : "last values (the run wrote no summary)"), kvTable(keys.map(k => [k, summary.live[k]])));
  }
  const rows = [];
  for (const [source, metrics] of Object.entries(summary)) {
    for (const [name, s] of Object.entries(metrics || {})) {
      if (!s || typeof s !== "object" || (s.last && typeof s.last === "object" && s.last._type)) continue;
      rows.push(h("tr", {}, h("td", {}, name), h("td", { class: "muted" }, source),
        ["last", "min", "max", "mean", "count"].map(k => h("td", {}, fmtValue(s[k])))));
    }
  }
  if (!rows.length) return h("div", { class: "muted" }, "no metrics");
  return h("table", { class: "kv", id: "summary" }, h("tr", {}, ["metric", "source", "last", "min", "max", "mean", "count"].map(t => h("th", {}, t))), rows);
}

// A job's parts (one per task: rank, host, status, exit), each linking to its own console.
function partsView(key, parts, consoleCard) {
  const rows = parts.map(p => {
    const name = `output.${p.part}.log`;
    const link = h("a", { href: runHref(key) + "?part=" + encodeURIComponent(p.part), "data-part": p.part, onclick: e => {
      e.preventDefault();
      showInAddress(runHref(key).slice(1), { part: p.part });
      if (consoleCard.showConsole) consoleCard.showConsole(name);
      consoleCard.scrollIntoView();
    } }, p.part);
    const end = typeof p.end_time === "number" ? p.end_time : null;
    return h("tr", {}, h("td", {}, link), h("td", {}, fmtValue(p.rank)), h("td", {}, p.host || ""),
      h("td", {}, h("span", { class: "status " + p.status }, p.status)), h("td", {}, fmtValue(p.exit_code)),
      h("td", {}, fmtTime(p.start_time)), h("td", {}, end && p.start_time ? fmtDuration(end - p.start_time) : ""));
  });
  return card(`Parts (${parts.length})`, h("table", { class: "kv", id: "parts" },
    h("tr", {}, ["part", "rank", "host", "status", "exit", "started", "duration"].map(t => h("th", {}, t))), rows));
}

function consoleView(key, names, status, initial) {
  const pre = h("pre", { class: "console", id: "console" });
  const select = h("select", {}, (names || []).map(n => h("option", { value: n }, n)));
  const c = card("Console", names && names.length > 1 ? h("div", { class: "toolbar" }, select) : "", pre);
  if (!names || !names.length) { pre.textContent = "(no console recorded)"; return c; }
  let stream = null;
  let next = null, committed = null, partial = null, name = names[0], busy = false, again = false;
  let shown = 0;  // bumped when another console is chosen: a read of the former one is dropped
  async function pull() {
    if (busy) { again = true; return; }
    busy = true;
    const reading = shown;
    try {
      const atBottom = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 40;
      const body = await api("/api/console", { run: key, name, offset: next === null ? undefined : next });
      if (reading !== shown) { again = true; return; }
      if (body.next === next && body.partial === (partial ? partial.data : "")) return;
      if (body.text) {
        if (partial) { partial.remove(); partial = null; }
        committed.appendData(body.text);
        if (committed.length > 4 << 20) committed.deleteData(0, committed.length - (2 << 20));
      }
      if (partial) { partial.data = body.partial; } else if (body.partial) { partial = document.createTextNode(body.partial); pre.append(partial); }
      next = body.next;
      if (atBottom) pre.scrollTop = pre.scrollHeight;
    } finally {
      busy = false;
      if (again) { again = false; pull(); }
    }
  }
  function open() {
    if (stream) stream.close();
    shown++;
    next = null; partial = null;
    committed = document.createTextNode("");
    pre.replaceChildren(committed);
    pull().then(() => { pre.scrollTop = pre.scrollHeight; });
    stream = live([key], { run: key, name }, ev => {
      if (ev.console !== undefined) pull();
      if (ev.runs && ev.runs[key]) { const st = document.getElementById("run-status"); if (st) { st.textContent = ev.runs[key].status; st.className = "status " + ev.runs[key].status; } }
    });
  }
  select.addEventListener("change", () => { name = select.value; open(); });
  c.showConsole = n => { if (!names.includes(n)) return; select.value = n; name = n; open(); };
  if (initial && names.includes(initial)) { name = initial; select.value = initial; }
  open();
  return c;
}

// Logged media (images, tables, histograms, audio, video...): each key's last file. The
// reference records name files inside the run directory; they are fetched through /files/.
function mediaView(key, media) {
  const keys = Object.keys(media || {});
  if (!keys.length) return null;
  const body = keys.map(name => {
    const m = media[name];
    const ref = m.last || {};
    const table = ref._type === "table-file" ? ref : (ref.table && ref.table._type === "table-file" ? ref.table : null);
    const box = h("div", { class: "media-item" });
    const path = typeof ref.path === "string" ? ref.path : null;
    const image = p => h("a", { href: fileUrl(key, p), target: "_blank", rel: "noopener" }, h("img", { src: fileUrl(key, p), alt: name, title: p }));
    if (ref._type === "image-file" && path) {
      box.append(image(path));
    } else if (Array.isArray(ref.filenames)) {  // a list of images (wandb's images/separated)
      ref.filenames.filter(p => typeof p === "string").slice(0, 48).forEach(p => box.append(image(p)));
    } else if (Array.isArray(ref.items)) {  // a list of other media: links to their files
      ref.items.filter(r => r && typeof r.path === "string").slice(0, 48).forEach(r =>
        box.append(h("div", {}, h("a", { href: fileUrl(key, r.path), target: "_blank", rel: "noopener" }, r.path))));
    } else if (table && typeof table.path === "string") {
      fetch(fileUrl(key, table.path)).then(r => r.json()).then(t => box.append(dataTable(t))).catch(() => box.append("(table unreadable)"));
    } else if (ref._type === "histogram-file" && path) {
      const plot = h("div", { class: "plot", style: "height:200px" });
      box.append(plot);
      Promise.all([fetch(fileUrl(key, path)).then(r => r.json()), plotlyReady]).then(([hist, ok]) => {
        if (!ok) return;
        const bins = hist.bins || [], values = hist.values || [];
        const xs = values.map((_, i) => (bins[i] + bins[i + 1]) / 2);
        Plotly.newPlot(plot, [{ type: "bar", x: xs, y: values, marker: { color: PALETTE[0] } }],
          { margin: { l: 40, r: 10, t: 6, b: 30 }, bargap: 0 }, { displaylogo: false, responsive: true });
      }).catch(() => box.append("(histogram unreadable)"));
    } else if (ref._type === "audio-file" && path) {
      box.append(h("audio", { controls: true, src: fileUrl(key, path) }));
    } else if (ref._type === "video-file" && path) {
      box.append(h("video", { controls: true, src: fileUrl(key, path), style: "max-width:320px" }));
    } else if (path) {
      box.append(h("a", { href: fileUrl(key, path), target: "_blank", rel: "noopener" }, path));
    }
    return h("div", { class: "media-entry" }, h("h4", {}, name, " ", h("span", { class: "muted" },
      `${ref._type || m.type} · ${m.count} logged · last step ${m.last_step ?? "-"}`)), box);
  });
  return card("Media", h("div", { class: "media", id: "media" }, body));
}

function dataTable(t) {
  const columns = Array.isArray(t.columns) ? t.columns : [];
  const rows = Array.isArray(t.data) ? t.data : [];
  return h("div", { class: "table-scroll" }, h("table", { class: "kv data" },
    h("tr", {}, columns.map(c => h("th", {}, c))),
    rows.slice(0, 200).map(r => h("tr", {}, (Array.isArray(r) ? r : []).map(v => h("td", {}, fmtValue(v)))))),
    rows.length > 200 ? h("div", { class: "muted" }, `first 200 of ${rows.length} rows`) : "");
}

const IMAGE = /\.(png|jpe?g|gif|webp|svg|bmp)$/i;
const VIDEO = /\.(mp4|webm|ogg|gif)$/i;

function filesView(key, files) {
  const folders = Object.entries(files || {}).filter(([, list]) => list.length);
  if (!folders.length) return null;
  const body = [];
  for (const [folder, list] of folders) {
    const images = list.filter(f => IMAGE.test(f.path));
    const preview = h("div");
    body.push(h("h4", {}, folder + "/"),
      images.length ? h("div", { class: "media" }, images.slice(0, 48).map(f => h("a", { href: fileUrl(key, f.path), target: "_blank", rel: "noopener" },
        h("img", { src: fileUrl(key, f.path), alt: f.path, title: f.path, loading: "lazy" })))) : "",
      h("table", { class: "kv" }, list.map(f => h("tr", {},
        h("td", {}, h("a", { href: fileUrl(key, f.path), target: "_blank", rel: "noopener" }, f.path)),
        h("td", { class: "muted" }, fmtSize(f.size)),
        h("td", {}, !IMAGE.test(f.path) && !VIDEO.test(f.path) && f.size < 1 << 20 ? h("a", { href: "#", onclick: async e => {
          e.preventDefault();
          const res = await fetch(fileUrl(key, f.path));
          preview.replaceChildren(h("div", { class: "muted" }, f.path), h("pre", { class: "code" }, await res.text()));
        } }, "view") : "")))),
      preview);
  }
  return card("Files", ...body);
}

window.addEventListener("hashchange", route);
route();
