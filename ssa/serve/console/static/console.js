// ssa duty console: reads the HTTP API with the key kept in sessionStorage.
// No framework, no build step: one script for every page, chosen by <body data-page>.
"use strict";

const KEY = "ssa.key";
const ME = "ssa.me";
const POLL_MS = 3000;        // change-feed poll of the alerts page
const PAGE_ROWS = 200;       // rows shown before "Show more"
const API_PAGE = 1000;       // alerts per API request (the API's maximum)
const vocab = JSON.parse(document.body.dataset.vocabulary);
const levelRank = Object.fromEntries(vocab.levels.map((l) => [l.id, l.rank]));
const incidentName = Object.fromEntries(vocab.incidents.map((i) => [i.id, i.name]));

// ---- small helpers ------------------------------------------------------------------
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c) node.append(c);
  return node;
}

function utc(iso) {  // API datetimes are naive UTC
  if (!iso) return null;
  return new Date(/[zZ]|[+-]\d\d:\d\d$/.test(iso) ? iso : iso + "Z");
}
function fmtUtc(date) {
  return date ? date.toISOString().replace("T", " ").slice(0, 19) + " UTC" : "—";
}
function timeEl(date) {
  return date ? el("time", { datetime: date.toISOString(), text: fmtUtc(date) }) : "—";
}
function fmtSpan(ms) {
  const minutes = Math.round(Math.abs(ms) / 60000);
  const d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
  const text = d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}
function fmtMetres(m) {
  if (m === null || m === undefined) return "—";
  return Math.abs(m) >= 10000 ? `${(m / 1000).toFixed(1)} km` : `${Math.round(m).toLocaleString("en")} m`;
}
function fmtPc(p) {
  if (p === null || p === undefined) return "—";
  return p === 0 ? "0" : p.toExponential(1);
}
function partyName(code) {
  return vocab.parties[code] ? `${vocab.parties[code]} (${code})` : code;
}
function levelBadge(level) {
  const rank = levelRank[level] ?? 0;
  // the level is written out and drawn as a bar count, not told by colour alone
  return el("span", { class: `level level-${level}`, title: `level ${level} (${rank} of ${vocab.levels.length - 1})` },
    el("span", { class: "bars", "aria-hidden": "true", text: "▮".repeat(rank) + "▯".repeat(vocab.levels.length - 1 - rank) }),
    ` ${level}`);
}

class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

function toSignIn() {
  const next = location.pathname + location.search;
  location.assign(`/console/sign-in?next=${encodeURIComponent(next)}`);
}

async function api(path, { method = "GET", raw = false, key = sessionStorage.getItem(KEY) } = {}) {
  if (!key) { toSignIn(); throw new ApiError(401, { title: "Not signed in" }); }
  const response = await fetch(path, { method, headers: { "X-API-Key": key, Accept: "application/json" } });
  if (!response.ok) {
    let problem;
    try { problem = await response.json(); } catch (e) { problem = { title: response.statusText }; }
    throw new ApiError(response.status, problem);
  }
  return raw ? response : response.json();
}

function showProblem(error, what) {
  const box = document.getElementById("problem");
  const refused = error.status === 403 ? "Refused: " : "";
  box.textContent = `${refused}${what ? what + ": " : ""}${error.message}`;
  box.hidden = false;
  if (error.status === 401) { sessionStorage.removeItem(KEY); sessionStorage.removeItem(ME); }
}

function me() {
  return JSON.parse(sessionStorage.getItem(ME) || "null");
}

// ---- frame: who is signed in, navigation ------------------------------------------------
function frame() {
  const page = document.body.dataset.page;
  for (const a of document.querySelectorAll("[data-nav]")) {
    if (a.dataset.nav === page) a.setAttribute("aria-current", "page");
  }
  if (page === "sign-in") return true;
  const who = me();
  if (!sessionStorage.getItem(KEY) || !who) { toSignIn(); return false; }
  document.getElementById("who").textContent =
    `key ${who.key_id} · ${who.role}${who.party ? " · " + partyName(who.party) : ""}`;
  const out = document.getElementById("sign-out");
  out.hidden = false;
  out.addEventListener("click", () => {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(ME);
    location.assign("/console/sign-in");
  });
  return true;
}

// ---- sign in --------------------------------------------------------------------------
function signInPage() {
  const form = document.getElementById("sign-in-form");
  document.getElementById("key").focus();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    document.getElementById("problem").hidden = true;
    const key = form.key.value.trim();
    try {
      const who = await api("/v1/me", { key });
      sessionStorage.setItem(KEY, key);
      sessionStorage.setItem(ME, JSON.stringify(who));
      const next = new URLSearchParams(location.search).get("next") || "";
      location.assign(next.startsWith("/console/") && !next.startsWith("/console/sign-in") ? next : "/console/alerts");
    } catch (error) {
      showProblem(error, "The key was not accepted");
      form.key.select();
    }
  });
}

// ---- what an alert is about --------------------------------------------------------------
const FINDING_INCIDENT = { reentry: "reentry", fragmentation: "fragmentation", manoeuvre: "unexplained_manoeuvre",
  proximity: "proximity_operation" };
function incidentType(a) {
  if (a.conjunction) return "conjunction";
  if (a.finding) return (a.finding.routing || {}).incident || FINDING_INCIDENT[a.finding.kind] || a.finding.kind;
  return (a.incident && a.incident.incident) || "";
}
function routingOf(a) { return (a.conjunction || a.incident || a.finding || {}).routing || {}; }
function eventTime(a) {
  if (a.conjunction) return utc(a.conjunction.TCA);
  if (a.finding) return utc(a.finding.event_time);
  const report = (a.incident && a.incident.report) || {};
  return utc(report.tca || report.time || null);
}
function interestCategories(a) {
  return (routingOf(a).interests || []).map((i) => i.category).filter(Boolean);
}
function objectsText(a) {
  if (a.conjunction) {
    const o1 = a.conjunction.OBJECT1, o2 = a.conjunction.OBJECT2;
    return `${o1.OBJECT_NAME} (${o1.NORAD_CAT_ID}) × ${o2.OBJECT_NAME} (${o2.NORAD_CAT_ID})`;
  }
  if (a.finding) return findingObjects(a.finding).map((o) => `${o.name || "?"} (${o.norad_id})`).join(" × ");
  const objects = ((a.incident && a.incident.report) || {}).objects || [];
  return objects.map((o) => `${o.name || "?"}${o.norad_id ? ` (${o.norad_id})` : ""}`).join(" × ") || "—";
}
function findingObjects(f) {  // [{norad_id, name, owner, object_type, what}] of a finding's summary
  const s = f.summary || {};
  if (f.kind === "reentry") {
    return [{ norad_id: s.NORAD_CAT_ID, name: s.OBJECT_NAME, owner: s.OWNER, object_type: s.OBJECT_TYPE, what: "re-entering" }];
  }
  if (f.kind === "proximity") {
    return [{ norad_id: s.asset_norad_id, name: s.asset_name, what: "asset" },
      { norad_id: s.norad_id, name: s.name, owner: s.owner, object_type: s.object_type, what: "approaching" }];
  }
  if (f.kind === "fragmentation") {
    const parent = [{ norad_id: s.parent_norad_id, name: s.parent_name, owner: s.parent_owner, object_type: s.parent_type,
      what: `parent of ${s.n_fragments} new pieces` }];
    return s.partner_norad_id ? parent.concat([{ norad_id: s.partner_norad_id, name: s.partner_name, owner: s.partner_owner,
      object_type: s.partner_type, what: "collision partner" }]) : parent;
  }
  return [{ norad_id: f.norad_id_1, name: s.OBJECT_NAME || s.name, what: f.kind }];
}
function mayAcknowledge(a, who) {
  if (!who || !who.may_acknowledge) return false;
  return who.role === "admin" || a.party === who.party;
}

function ackCell(a, onAck) {
  if (a.acknowledged_at) {
    return el("span", { class: "acked" }, el("span", { "aria-hidden": "true", text: "✔ " }),
      `by ${a.acknowledged_by} at `, timeEl(utc(a.acknowledged_at)));
  }
  if (mayAcknowledge(a, me())) {
    return el("button", { type: "button", class: "ack", "data-alert": a.id,
      "aria-label": `Acknowledge alert ${a.id}`, onclick: () => onAck(a) }, "Acknowledge");
  }
  return el("span", { class: "muted", text: "not yet" });
}

async function acknowledge(a) {
  return api(`/v1/alerts/${a.id}/acknowledge`, { method: "POST" });
}

// ---- alerts list ------------------------------------------------------------------------
function alertsPage() {
  const alerts = new Map();
  const fresh = new Set();
  const form = document.getElementById("filters");
  const tbody = document.querySelector("#alerts tbody");
  const live = document.getElementById("live");
  const more = document.getElementById("more");
  let since = 0, shown = PAGE_ROWS, loaded = false, rendered = false, lastRender = 0;

  function filters() { return Object.fromEntries(new FormData(form).entries()); }

  function matches(a, f, now) {
    if (f.level && a.level !== f.level) return false;
    if (f.kind && incidentType(a) !== f.kind) return false;
    if (f.party && a.party !== f.party) return false;
    if (f.interest) {
      const cats = interestCategories(a);
      if (f.interest === "dutch" ? !cats.length : f.interest === "none" ? cats.length : !cats.includes(f.interest)) return false;
    }
    if (f.within) {
      const t = eventTime(a);
      if (!t) return false;
      const hours = (t - now) / 3600000;
      if (f.within === "past" ? hours >= 0 : f.within === "upcoming" ? hours < 0 : hours < 0 || hours > Number(f.within)) return false;
    }
    if (f.acknowledged && (f.acknowledged === "yes") !== Boolean(a.acknowledged_at)) return false;
    return true;
  }

  function compare(order, now) {
    const newest = (a, b) => (b.created_at || "").localeCompare(a.created_at || "") || b.id - a.id;
    if (order === "newest") return newest;
    return (a, b) => {
      const rank = (levelRank[b.level] ?? -1) - (levelRank[a.level] ?? -1);
      if (rank) return rank;
      const ta = eventTime(a), tb = eventTime(b);
      const pa = !ta || ta < now, pb = !tb || tb < now;
      if (pa !== pb) return pa ? 1 : -1;            // upcoming before past
      if (ta && tb && +ta !== +tb) return pa ? tb - ta : ta - tb;  // soonest upcoming; latest past
      return newest(a, b);
    };
  }

  function row(a, now) {
    const t = eventTime(a);
    const c = a.conjunction;
    const miss = c ? `${fmtMetres(c.MISS_DISTANCE)} · Pc ${fmtPc(c.COLLISION_PROBABILITY)}` : "—";
    const kind = incidentType(a);
    const about = c ? `conjunction ${c.id}` : a.finding ? `${a.finding.kind} finding ${a.finding.id}`
      : `incident ${a.incident ? a.incident.id : "?"}`;
    return el("tr", { "data-alert": a.id, class: fresh.has(a.id) ? "fresh" : null },
      el("td", {}, levelBadge(a.level)),
      el("td", {}, el("a", { href: `/console/alerts/${a.id}` }, `${incidentName[kind] || kind}`),
        el("div", { class: "muted small", text: `alert ${a.id}, ${about}` }),
        fresh.has(a.id) ? el("strong", { class: "new", text: "NEW" }) : null),
      el("td", {}, objectsText(a), interestCategories(a).length
        ? el("div", { class: "small", text: `Dutch interest: ${[...new Set(interestCategories(a))].join(", ")}` }) : null),
      el("td", {}, partyName(a.party), el("div", { class: "small", text: a.role })),
      el("td", {}, t ? fmtSpan(t - now) : "—", el("div", { class: "small" }, timeEl(t))),
      el("td", { text: miss }),
      el("td", {}, ackCell(a, onAck)));
  }

  async function onAck(a) {
    try {
      const done = await acknowledge(a);
      alerts.set(done.id, done);
      render();
      const cell = tbody.querySelector(`tr[data-alert="${done.id}"] a`);
      if (cell) cell.focus();
    } catch (error) { showProblem(error, `Alert ${a.id} was not acknowledged`); }
  }

  function render() {
    const now = new Date();
    const f = filters();
    const list = [...alerts.values()].filter((a) => matches(a, f, now)).sort(compare(f.order, now));
    // keep keyboard focus on the same alert's link or button across a redraw
    const focused = document.activeElement && document.activeElement.closest("#alerts tr[data-alert]");
    const focusedTag = focused ? document.activeElement.tagName.toLowerCase() : null;
    tbody.replaceChildren(...list.slice(0, shown).map((a) => row(a, now)));
    if (focused) {
      const again = tbody.querySelector(`tr[data-alert="${focused.dataset.alert}"] ${focusedTag}`) ||
        tbody.querySelector(`tr[data-alert="${focused.dataset.alert}"] a`);
      if (again) again.focus();
    }
    lastRender = Date.now();
    if (!list.length) {
      tbody.append(el("tr", {}, el("td", { colspan: 7, class: "muted", text: alerts.size ? "No alert matches these filters." : "No alerts." })));
    }
    more.hidden = list.length <= shown;
    more.textContent = `Show more (${list.length - shown} not shown)`;
    const state = loaded ? `live, updated ${fmtUtc(now)}` : "loading…";
    live.textContent = `${list.length} of ${alerts.size} alerts shown (${state})` +
      (fresh.size ? `; ${fresh.size} new since this page opened` : "");
    if (!rendered && alerts.size) {
      rendered = true;
      performance.mark("alerts-first-render");
    }
  }

  function partyOptions() {
    const select = form.elements.party;
    const known = new Set([...select.options].map((o) => o.value));
    for (const party of new Set([...alerts.values()].map((a) => a.party))) {
      if (!known.has(party)) select.append(el("option", { value: party, text: partyName(party) }));
    }
  }

  async function pull() {  // every change since the last one seen; the number of alerts that changed
    let changed = 0;
    for (;;) {
      const page = await api(`/v1/alerts?since=${since}&limit=${API_PAGE}`);
      for (const a of page.items) {
        if (loaded && !alerts.has(a.id)) fresh.add(a.id);
        alerts.set(a.id, a);
      }
      changed += page.items.length;
      since = page.next_since;
      if (!loaded && page.items.length) render();  // first rows while the rest loads
      if (!page.has_more) break;
    }
    return changed;
  }

  async function poll() {
    try {
      // redraw on a change, and each minute for the times to event
      if (await pull() || Date.now() - lastRender > 60000) render();
      partyOptions();
    } catch (error) {
      showProblem(error, "Polling the alerts failed");
      if (error.status === 401 || error.status === 403) return;
    }
    setTimeout(poll, POLL_MS);
  }

  form.addEventListener("change", () => { shown = PAGE_ROWS; render(); });
  form.addEventListener("reset", () => setTimeout(() => { shown = PAGE_ROWS; render(); }, 0));
  more.addEventListener("click", () => { shown += PAGE_ROWS; render(); });

  (async () => {
    try {
      await pull();
      loaded = true;
      partyOptions();
      render();
      performance.mark("alerts-complete");
      document.body.dataset.loaded = "true";
    } catch (error) {
      showProblem(error, "Loading the alerts failed");
      return;
    }
    setTimeout(poll, POLL_MS);
  })();
}

// ---- plots (inline SVG) ------------------------------------------------------------------
function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) { hi = lo + 1; }
  const raw = (hi - lo) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(+v.toPrecision(12));
  return ticks;
}

function linePlot({ title, description, xs, series, xLabel, yLabel, xFormat = String, yFormat = String, logY = false, xTicks = null }) {
  const W = 640, H = 300, L = 72, R = 16, T = 16, B = 46;
  const points = series.flatMap((s) => s.ys.map((y, i) => [xs[i], y])).filter(([, y]) => y !== null && (!logY || y > 0));
  const fy = logY ? (y) => Math.log10(y) : (y) => y;
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = points.length ? [Math.min(...points.map((p) => fy(p[1]))), Math.max(...points.map((p) => fy(p[1])))] : [0, 1];
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  if (y1 === y0) { const pad = Math.abs(y0) * 0.1 || 1; y0 -= pad; y1 += pad; }
  if (!logY && y0 > 0 && y0 < (y1 - y0) * 0.5) y0 = 0;
  const sx = (x) => L + (x - x0) / (x1 - x0) * (W - L - R);
  const sy = (y) => T + (1 - (fy(y) - y0) / (y1 - y0)) * (H - T - B);
  let yTicks = niceTicks(y0, y1);
  if (logY) {  // decades, or within one decade ticks evenly spaced in log
    const decades = niceTicks(Math.floor(y0), Math.ceil(y1)).filter((t) => Number.isInteger(t) && t >= y0 && t <= y1);
    yTicks = (decades.length >= 2 ? decades : yTicks).map((t) => Math.pow(10, t));
  }
  const grid = svg("g", { class: "grid" },
    (xTicks || niceTicks(x0, x1, 6)).filter((t) => t >= x0 && t <= x1).map((t) => svg("g", {},
      svg("line", { x1: sx(t), x2: sx(t), y1: T, y2: H - B }),
      svg("text", { x: sx(t), y: H - B + 16, "text-anchor": "middle", text: xFormat(t) }))),
    yTicks.filter((t) => fy(t) >= y0 - 1e-9 && fy(t) <= y1 + 1e-9).map((t) => svg("g", {},
      svg("line", { x1: L, x2: W - R, y1: sy(t), y2: sy(t) }),
      svg("text", { x: L - 6, y: sy(t) + 4, "text-anchor": "end", text: yFormat(t) }))));
  const lines = series.map((s, k) => {
    let d = "", pen = false;
    s.ys.forEach((y, i) => {
      if (y === null || (logY && !(y > 0))) { pen = false; return; }
      d += `${pen ? "L" : "M"}${sx(xs[i]).toFixed(1)},${sy(y).toFixed(1)}`;
      pen = true;
    });
    const marks = s.markers ? s.ys.map((y, i) => (y === null || (logY && !(y > 0))) ? null
      : svg("rect", { x: sx(xs[i]) - 3, y: sy(y) - 3, width: 6, height: 6, class: `mark s${k}` })) : [];
    return svg("g", { class: `series s${k}` }, s.points ? null : svg("path", { d, class: `line s${k}` }), marks);
  });
  return svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", class: "plot" },
    svg("title", { text: title }), svg("desc", { text: description }),
    grid,
    svg("rect", { x: L, y: T, width: W - L - R, height: H - T - B, class: "frame" }),
    lines,
    svg("text", { x: (L + W - R) / 2, y: H - 8, "text-anchor": "middle", class: "label", text: xLabel }),
    svg("text", { x: 14, y: (T + H - B) / 2, "text-anchor": "middle", class: "label",
      transform: `rotate(-90 14 ${(T + H - B) / 2})`, text: yLabel }));
}

function planePlot(p) {
  // encounter plane, x along the major axis of the combined covariance; object 1 at the origin
  const S = 340, M = 40;
  const extent = Math.max(3 * p.sigma_x_m, 3 * p.sigma_y_m, Math.hypot(p.miss_x_m, p.miss_y_m) + p.hard_body_radius_m) * 1.1 || 1;
  const k = (S / 2 - M) / extent;
  const X = (x) => S / 2 + x * k, Y = (y) => S / 2 - y * k;
  const hbrPx = p.hard_body_radius_m * k;
  const unit = extent >= 5000 ? 1000 : 1, unitName = unit === 1000 ? "km" : "m";
  const ticks = niceTicks(-extent / unit, extent / unit, 4);
  const title = "Encounter plane";
  const desc = `Miss vector ${fmtMetres(Math.hypot(p.miss_x_m, p.miss_y_m))} from object 1 to object 2; combined covariance 1-sigma ` +
    `${fmtMetres(p.sigma_x_m)} by ${fmtMetres(p.sigma_y_m)} (dashed: 3 sigma); hard-body radius ${p.hard_body_radius_m.toFixed(1)} m.`;
  return svg("svg", { viewBox: `0 0 ${S} ${S}`, role: "img", class: "plot plane" },
    svg("title", { text: title }), svg("desc", { text: desc }),
    svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrowhead" }))),
    svg("g", { class: "grid" }, ticks.map((t) => svg("g", {},
      svg("line", { x1: X(t * unit), x2: X(t * unit), y1: M / 2, y2: S - M / 2 }),
      svg("line", { y1: Y(t * unit), y2: Y(t * unit), x1: M / 2, x2: S - M / 2 }),
      svg("text", { x: X(t * unit), y: S - 4, "text-anchor": "middle", text: `${t}` })))),
    svg("ellipse", { cx: X(0), cy: Y(0), rx: 3 * p.sigma_x_m * k, ry: 3 * p.sigma_y_m * k, class: "sigma3" }),
    svg("ellipse", { cx: X(0), cy: Y(0), rx: p.sigma_x_m * k, ry: p.sigma_y_m * k, class: "sigma1" }),
    svg("line", { x1: X(0), y1: Y(0), x2: X(p.miss_x_m), y2: Y(p.miss_y_m), class: "miss", "marker-end": "url(#arrow)" }),
    svg("circle", { cx: X(p.miss_x_m), cy: Y(p.miss_y_m), r: Math.max(hbrPx, 3), class: "hbr" }),
    svg("text", { x: S / 2, y: 14, "text-anchor": "middle", class: "label", text: `major axis of covariance (${unitName}) →` }));
}

// ---- alert detail --------------------------------------------------------------------------
function definitionList(pairs) {
  return el("dl", { class: "facts" }, pairs.filter(Boolean).flatMap(([k, v]) => [el("dt", { text: k }), el("dd", {}, v)]));
}

function section(id) {
  const node = document.getElementById(id);
  node.hidden = false;
  return node;
}

async function alertPage() {
  const id = document.getElementById("alert").dataset.alertId;
  let alert;
  try {
    alert = await api(`/v1/alerts/${id}`);
  } catch (error) {
    showProblem(error, `Alert ${id}`);
    document.getElementById("summary").hidden = true;
    return;
  }
  const summary = document.getElementById("summary");
  function drawSummary() {
    const t = eventTime(alert);
    summary.replaceChildren(el("h2", { id: "summary-h", text: "Summary" }), definitionList([
      ["Level", levelBadge(alert.level)],
      ["Incident", incidentName[incidentType(alert)] || incidentType(alert)],
      ["Objects", objectsText(alert)],
      ["Party", `${partyName(alert.party)}, ${alert.role}`],
      ["Time to event", t ? el("span", {}, `${fmtSpan(t - new Date())} (`, timeEl(t), ")") : "—"],
      ["Alert raised", timeEl(utc(alert.created_at))],
      ["Acknowledged", ackCell(alert, async () => {
        try { alert = await acknowledge(alert); drawSummary(); summary.querySelector(".acked").focus?.(); }
        catch (error) { showProblem(error, `Alert ${alert.id} was not acknowledged`); }
      })],
    ]));
  }
  drawSummary();
  const about = alert.conjunction || alert.incident || alert.finding;
  drawRouting(about.routing || {});
  if (alert.conjunction) {
    await Promise.all([drawObjects(alert.conjunction, about.routing || {}), drawConjunction(alert.conjunction)]);
  } else if (alert.finding) {
    drawFindingObjects(alert.finding, about.routing || {});
    drawDownloads([["JSON", `/v1/findings/${alert.finding.id}`, `finding-${alert.finding.id}.json`, "application/json"]]);
    await drawFindingPlot(alert.finding);
  } else {
    drawIncidentObjects(alert.incident, about.routing || {});
    drawDownloads([["JSON", `/v1/alerts/${alert.id}`, `alert-${alert.id}.json`, "application/json"]]);
  }
  document.body.dataset.loaded = "true";
}

function interestOf(routing, norad) {
  const found = (routing.interests || []).find((i) => i.norad_id === norad);
  return found && found.category ? `${found.category} (${vocab.categories[found.category] || ""}; ${found.operator})` : "none";
}

async function drawObjects(c, routing) {
  const node = section("objects");
  const rows = await Promise.all([c.OBJECT1, c.OBJECT2].map(async (o) => {
    let owner = "—", type = "—";
    try {
      const obj = await api(`/v1/objects/${o.NORAD_CAT_ID}`);
      owner = obj.OWNER || "—"; type = obj.OBJECT_TYPE || "—";
    } catch (error) { owner = type = `not shown (${error.status})`; }
    return el("tr", {}, el("td", { text: o.NORAD_CAT_ID }), el("td", { text: o.OBJECT_NAME }), el("td", { text: owner }),
      el("td", { text: type }), el("td", { text: `${o.days_since_epoch.toFixed(2)} d (${o.ELSET_SOURCE})` }),
      el("td", { text: interestOf(routing, o.NORAD_CAT_ID) }));
  }));
  node.append(el("table", { class: "grid" }, el("thead", {}, el("tr", {}, ["NORAD", "Name", "Owner", "Type",
    "Element set age at TCA", "Dutch interest"].map((h) => el("th", { scope: "col", text: h })))), el("tbody", {}, rows)));
}

function drawIncidentObjects(inc, routing) {
  const node = section("objects");
  const objects = (inc.report && inc.report.objects) || [];
  const report = inc.report || {};
  const evidence = Object.entries(report.evidence || {}).map(([k, v]) => `${k} = ${v}`).join(", ");
  node.append(definitionList([
    ["Reported", `by ${inc.reporter} (${inc.reporter_role}) at ${fmtUtc(utc(inc.created_at))}`],
    report.tca ? ["Event time", timeEl(utc(report.tca))] : null,
    report.region ? ["Region", report.region] : null,
    report.miss_km !== undefined && report.miss_km !== null ? ["Range", `${report.miss_km} km`] : null,
    report.pc !== undefined && report.pc !== null ? ["Pc", fmtPc(report.pc)] : null,
    evidence ? ["Evidence", evidence] : null,
  ]));
  node.append(el("table", { class: "grid" }, el("thead", {}, el("tr", {}, ["NORAD", "Name", "Owner", "Type", "Dutch interest"]
    .map((h) => el("th", { scope: "col", text: h })))), el("tbody", {}, objects.map((o) => el("tr", {},
    el("td", { text: o.norad_id ?? "—" }), el("td", { text: o.name || "—" }), el("td", { text: o.owner || "—" }),
    el("td", { text: o.object_type || "—" }), el("td", { text: interestOf(routing, o.norad_id) }))))));
}

function drawFindingObjects(f, routing) {
  const node = section("objects");
  const facts = Object.entries(f.summary || {}).filter(([, v]) => v !== null && v !== "" && typeof v !== "object")
    .map(([k, v]) => [k, String(v)]);
  node.append(definitionList([["Finding", `${f.kind} ${f.id} (${f.identity}), found on catalogue version ${f.catalog_version_id}`],
    f.event_time ? ["Event time", timeEl(utc(f.event_time))] : null]));
  node.append(el("table", { class: "grid" }, el("thead", {}, el("tr", {}, ["NORAD", "Name", "Owner", "Type", "Role", "Dutch interest"]
    .map((h) => el("th", { scope: "col", text: h })))), el("tbody", {}, findingObjects(f).map((o) => el("tr", {},
    el("td", { text: o.norad_id ?? "—" }), el("td", { text: o.name || "—" }), el("td", { text: o.owner || "—" }),
    el("td", { text: o.object_type || "—" }), el("td", { text: o.what }), el("td", { text: interestOf(routing, o.norad_id) }))))));
  node.append(el("details", {}, el("summary", { text: "The detector's record" }), definitionList(facts)));
}

function mapPlot({ title, description, box, track, territory }) {
  // equirectangular lon/lat map of `box` [lon0, lon1, lat0, lat1] (deg): territory outlines and the track
  const [lon0, lon1, lat0, lat1] = box;
  const W = 640, L = 46, R = 12, T = 12, B = 34;
  const H = Math.round(T + B + (W - L - R) * (lat1 - lat0) / (lon1 - lon0) / Math.cos(((lat0 + lat1) / 2) * Math.PI / 180));
  const sx = (lon) => L + (lon - lon0) / (lon1 - lon0) * (W - L - R);
  const sy = (lat) => T + (1 - (lat - lat0) / (lat1 - lat0)) * (H - T - B);
  const path = (lons, lats, breakWide) => {
    let d = "", pen = false;
    lons.forEach((lon, i) => {
      const lat = lats[i];
      if (lon === null || lat === null || (breakWide && i && lons[i - 1] !== null && Math.abs(lon - lons[i - 1]) > 180)) pen = false;
      if (lon === null || lat === null) return;
      d += `${pen ? "L" : "M"}${sx(lon).toFixed(1)},${sy(lat).toFixed(1)}`;
      pen = true;
    });
    return d;
  };
  const ticksX = niceTicks(lon0, lon1, 6), ticksY = niceTicks(lat0, lat1, 4);
  return svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", class: "plot map" },
    svg("title", { text: title }), svg("desc", { text: description }),
    svg("defs", {}, svg("clipPath", { id: `clip-${lon0}-${lat0}` }, svg("rect", { x: L, y: T, width: W - L - R, height: H - T - B }))),
    svg("g", { class: "grid" },
      ticksX.filter((t) => t >= lon0 && t <= lon1).map((t) => svg("g", {}, svg("line", { x1: sx(t), x2: sx(t), y1: T, y2: H - B }),
        svg("text", { x: sx(t), y: H - B + 16, "text-anchor": "middle", text: `${t}°` }))),
      ticksY.filter((t) => t >= lat0 && t <= lat1).map((t) => svg("g", {}, svg("line", { x1: L, x2: W - R, y1: sy(t), y2: sy(t) }),
        svg("text", { x: L - 6, y: sy(t) + 4, "text-anchor": "end", text: `${t}°` })))),
    svg("rect", { x: L, y: T, width: W - L - R, height: H - T - B, class: "frame" }),
    svg("g", { "clip-path": `url(#clip-${lon0}-${lat0})` },
      territory.map((p) => svg("path", { d: path(p.lon_deg, p.lat_deg, false) + "Z", class: "territory" })),
      svg("path", { d: path(track.lon_deg, track.lat_deg, true), class: "line s0 track" })),
    svg("text", { x: (L + W - R) / 2, y: H - 4, "text-anchor": "middle", class: "label", text: "longitude (deg), latitude (deg)" }));
}

const MAP_BOXES = [  // [title, [lon0, lon1, lat0, lat1]]
  ["World", [-180, 180, -90, 90]], ["The Netherlands", [2, 8, 50, 54]], ["The Caribbean islands", [-70.5, -62.5, 11.5, 18.5]]];

async function drawFindingPlot(f) {
  const node = section("geometry");
  node.replaceChildren(el("h2", { id: "geometry-h", text: "Finding plot" }), el("p", { class: "muted", text: "Computing the plot…" }));
  let plot;
  try { plot = await api(`/v1/findings/${f.id}/plot`); } catch (error) {
    node.replaceChildren(el("h2", { id: "geometry-h", text: "Finding plot" }),
      el("p", { class: "problem", text: `Plot not available: ${error.message}` }));
    return;
  }
  const figures = el("div", { class: "figures" });
  if (plot.kind === "reentry" && plot.track) {
    const n = plot.track.t.length, first = plot.track.t[0], last = plot.track.t[n - 1];
    MAP_BOXES.forEach(([name, box], k) => figures.append(el("figure", { id: `track-plot-${k}` }, mapPlot({
      title: `Re-entry ground track: ${name}`, box, track: plot.track, territory: plot.territory,
      description: `Ground track from ${first} to ${last} (the last day of the re-entry window) over Dutch territory (filled).`,
    }), el("figcaption", { text: `${name}: ground track ${first} to ${last} (line), Dutch territory (filled).` }))));
  } else if (plot.kind === "proximity" && plot.t_s.length) {
    const common = { xs: plot.t_s.map((t) => t / 3600), xLabel: `hours from closest approach (${plot.closest})` };
    figures.append(
      el("figure", { id: "proximity-range-plot" }, linePlot({ ...common, title: "Range against time",
        description: "Distance between the asset and the object (SGP4).", series: [{ ys: plot.range_km }], yLabel: "range (km)" }),
      el("figcaption", { text: "Range against time around the closest approach." })),
      el("figure", { id: "proximity-speed-plot" }, linePlot({ ...common, title: "Relative speed against time",
        description: "Relative speed of the object with respect to the asset (SGP4).", series: [{ ys: plot.relative_speed_km_s }],
        yLabel: "relative speed (km/s)" }), el("figcaption", { text: "Relative speed against time." })));
  } else if (plot.kind === "fragmentation" && plot.objects.length) {
    const objects = [...plot.objects].sort((a, b) => a.period_min - b.period_min);
    figures.append(el("figure", { id: "gabbard-plot" }, linePlot({ title: "Gabbard diagram",
      description: "Apogee (filled squares) and perigee (open squares) altitude of the parent and its pieces against period.",
      xs: objects.map((o) => o.period_min), series: [{ ys: objects.map((o) => o.apogee_km), markers: true, points: true },
        { ys: objects.map((o) => o.perigee_km), markers: true, points: true }],
      xLabel: "period (min)", yLabel: "altitude (km)" }),
    el("figcaption", { text: "Gabbard diagram: apogee (filled squares) and perigee (open squares) altitude against period." })));
  } else {
    figures.append(el("p", { text: "No plot for this finding." }));
  }
  node.replaceChildren(el("h2", { id: "geometry-h", text: "Finding plot" }), figures);
}

function drawRouting(r) {
  const node = section("routing");
  const actions = r.actions || {};
  const roles = [["lead", r.lead ? [r.lead] : []], ["supporting", r.supporting || []], ["informed", r.informed || []]];
  node.append(definitionList([
    ["Level", el("span", {}, levelBadge(r.level || "log"), r.paged ? " · parties paged" : " · nobody paged")],
    ["Rule", r.rule || "—"], ["Basis", r.basis || "—"], r.why ? ["Why", r.why] : null,
    (r.operators || []).length ? ["Operators", r.operators.join(", ")] : null,
    (r.notify || []).length ? ["Notified now", r.notify.map(partyName).join(", ")] : null,
  ]));
  node.append(el("table", { class: "grid routing" }, el("thead", {}, el("tr", {},
    el("th", { scope: "col", text: "Role" }), el("th", { scope: "col", text: "Party" }), el("th", { scope: "col", text: "Action expected" }))),
  el("tbody", {}, roles.flatMap(([role, parties]) => parties.map((p) => el("tr", {},
    el("th", { scope: "row", text: role }), el("td", { text: partyName(p) }), el("td", { text: actions[p] || "—" })))))));
  if ((r.share || []).length) {
    node.append(el("h3", { text: "Information to share" }),
      el("ul", {}, r.share.map((s) => el("li", { text: `${s.what} → ${s.with.map(partyName).join(", ")}` }))));
  }
  if ((r.cite || []).length) {
    node.append(el("h3", { text: "Citations from the letters" }), el("ul", { class: "citations" }, r.cite.map((c) => el("li", {},
      el("blockquote", { lang: "nl", text: c.quote }),
      el("div", { class: "small", text: `${c.letter}: ${vocab.letters[c.letter] || ""}, section “${c.section}”` })))));
  }
  if ((r.explanation || []).length) {
    node.append(el("details", {}, el("summary", { text: "How the routing was decided" }),
      el("ol", {}, r.explanation.map((line) => el("li", { text: line })))));
  }
}

async function drawConjunction(c) {
  drawDownloads([
    ["CDM (KVN)", `/v1/conjunctions/${c.id}?format=cdm-kvn`, `conjunction-${c.id}.cdm`, "text/plain"],
    ["CDM (XML)", `/v1/conjunctions/${c.id}?format=cdm-xml`, `conjunction-${c.id}.cdm.xml`, "application/xml"],
    ["JSON", `/v1/conjunctions/${c.id}`, `conjunction-${c.id}.json`, "application/json"],
  ]);
  const geometry = section("geometry");
  geometry.append(el("p", { class: "muted", text: "Computing the geometry…" }));
  const [detail, geo] = await Promise.all([
    api(`/v1/conjunctions/${c.id}`).catch((e) => e), api(`/v1/conjunctions/${c.id}/geometry`).catch((e) => e)]);
  geometry.replaceChildren(el("h2", { id: "geometry-h", text: "Conjunction geometry" }));
  if (geo instanceof Error) {
    geometry.append(el("p", { class: "problem", text: `Geometry not available: ${geo.message}` }));
  } else {
    const plane = geo.encounter_plane;
    geometry.append(definitionList([
      ["TCA", timeEl(utc(geo.TCA))], ["Miss distance", fmtMetres(geo.MISS_DISTANCE)],
      ["Relative speed", `${(geo.RELATIVE_SPEED / 1000).toFixed(3)} km/s`],
      ["Pc", `${fmtPc(geo.COLLISION_PROBABILITY)} (${c.COLLISION_PROBABILITY_METHOD || "—"}, covariance ${c.covariance_source || "—"})`],
      ["Max Pc", `${fmtPc(geo.max_probability)} (SOCRATES MAX_PROB convention)`],
      plane ? ["Hard-body radius", `${plane.hard_body_radius_m.toFixed(2)} m`] : null,
      plane ? ["Combined 1σ in the plane", `${fmtMetres(plane.sigma_x_m)} × ${fmtMetres(plane.sigma_y_m)}`] : null,
    ]));
    const span = geo.range.t_s[geo.range.t_s.length - 1];
    const figures = el("div", { class: "figures" },
      el("figure", { id: "range-plot" }, linePlot({
        title: "Range against time around TCA",
        description: `Distance between the two objects from ${span} s before to ${span} s after TCA (SGP4, the screened element sets); minimum ${fmtMetres(geo.MISS_DISTANCE)} at TCA.`,
        xs: geo.range.t_s, series: [{ ys: geo.range.range_m }],
        xLabel: "time from TCA (s)", yLabel: "range (km)", yFormat: (v) => (v / 1000).toLocaleString("en"),
      }), el("figcaption", { text: `Range against time, TCA ± ${span} s.` })));
    if (plane) {
      figures.append(el("figure", { id: "plane-plot" }, planePlot(plane), el("figcaption", {},
        "Encounter plane: combined covariance 1σ (solid) and 3σ (dashed) about object 1, ",
        "miss vector (arrow) to object 2, hard-body circle", plane.hard_body_radius_m * 1 < 0.01 * Math.max(plane.sigma_x_m, 1) ? " (drawn larger than scale)" : "", ".")));
    }
    geometry.append(figures);
  }
  if (!(detail instanceof Error)) drawHistory(detail.history || []);
}

function drawHistory(history) {
  const node = section("history");
  if (!history.length) { node.append(el("p", { text: "No history recorded." })); return; }
  if (history.length > 1) drawHistoryPlots(node, history);
  drawHistoryTable(node, history);
}

function drawHistoryPlots(node, history) {
  // one point per screening, in order; labelled with the job that screened the catalogue version
  const xs = history.map((h, i) => i);
  const fmtDay = (i) => `job ${history[i].job_id}`;
  const common = { xTicks: xs, xLabel: "screening (job), oldest first" };
  const figs = el("div", { class: "figures" },
    el("figure", {}, linePlot({ title: "Miss distance over catalogue versions", description: "Miss distance at each screening of the event.",
      xs, ...common, series: [{ ys: history.map((h) => h.MISS_DISTANCE), markers: true }], yLabel: "miss distance (m)",
      xFormat: fmtDay, yFormat: (v) => v.toLocaleString("en") }), el("figcaption", { text: "Miss distance per screening." })),
    el("figure", {}, linePlot({ title: "Pc over catalogue versions", description: "Collision probability at each screening (log scale).",
      xs, ...common, series: [{ ys: history.map((h) => h.COLLISION_PROBABILITY), markers: true }], yLabel: "Pc (log)",
      xFormat: fmtDay, yFormat: (v) => v.toExponential(2), logY: true }), el("figcaption", { text: "Pc per screening (log scale)." })));
  node.append(figs);
}

function drawHistoryTable(node, history) {
  node.append(el("table", { class: "grid" }, el("thead", {}, el("tr", {}, ["Screened (UTC)", "Job", "Change", "Status",
    "TCA", "Miss", "Pc", "Level"].map((h) => el("th", { scope: "col", text: h })))), el("tbody", {}, history.map((h) => el("tr", {},
    el("td", {}, timeEl(utc(h.recorded_at))), el("td", { text: h.job_id }), el("td", { text: h.kind }),
    el("td", { text: h.status + (h.close_reason ? ` (${h.close_reason})` : "") }), el("td", {}, timeEl(utc(h.TCA))),
    el("td", { text: fmtMetres(h.MISS_DISTANCE) }), el("td", { text: fmtPc(h.COLLISION_PROBABILITY) }), el("td", { text: h.level || "—" }))))));
}

function drawDownloads(items) {
  const node = section("downloads");
  node.append(el("ul", { class: "downloads" }, items.map(([label, path, filename, type]) => el("li", {},
    el("button", { type: "button", "data-download": filename, onclick: async (event) => {
      const button = event.currentTarget;
      try {
        const response = await api(path, { raw: true });
        const blob = new Blob([await response.text()], { type });
        const link = el("a", { href: URL.createObjectURL(blob), download: filename });
        document.body.append(link);
        link.click();
        link.remove();
        button.dataset.done = "true";
      } catch (error) { showProblem(error, `${label} download`); }
    } }, `Download ${label}`)))));
}

// ---- jobs and catalogue versions -----------------------------------------------------------
async function jobsPage() {
  try {
    const [jobs, versions] = await Promise.all([api("/v1/jobs?limit=100"), api("/v1/catalog/versions?limit=100")]);
    document.querySelector("#jobs tbody").replaceChildren(...jobs.map((j) => {
      const took = j.started_at && j.finished_at ? `${((utc(j.finished_at) - utc(j.started_at)) / 1000).toFixed(1)} s` : "—";
      const stopped = j.stopped || [];
      return el("tr", {}, el("td", { text: j.id }), el("td", { text: j.catalog_version_id }),
        el("td", {}, el("strong", { text: j.status }),
          j.message && j.message !== j.status ? el("div", { class: "small", text: j.message }) : null),
        el("td", {}, j.window_start ? `${fmtUtc(utc(j.window_start))} → ${fmtUtc(utc(j.window_end))}` : "—",
          j.threshold_km ? el("div", { class: "small", text: `threshold ${j.threshold_km} km` }) : null),
        el("td", { text: took }), el("td", { text: j.n_objects ?? "—" }), el("td", { text: j.n_conjunctions ?? "—" }),
        el("td", {}, j.error ? el("div", { class: "problem", text: j.error }) : null,
          stopped.length ? el("details", {}, el("summary", { text: `${stopped.length} not screened` }),
            el("ul", {}, stopped.map((s) => el("li", { text: `${s.norad_id ?? "?"}: ${s.reason}` })))) : (j.error ? null : "none")));
    }));
    document.querySelector("#versions tbody").replaceChildren(...versions.map((v) => el("tr", {},
      el("td", { text: v.id }), el("td", { text: v.source }), el("td", {}, timeEl(utc(v.created_at))),
      el("td", { text: v.n_records }), el("td", { text: v.n_new }),
      el("td", {}, v.n_rejected ? el("strong", { text: `${v.n_rejected} rejected` }) : "none"))));
    document.body.dataset.loaded = "true";
  } catch (error) { showProblem(error, "Jobs"); }
}

// ---- overflights of the sites the key reads ------------------------------------------------
function timelinePlot(site, passes) {
  // one row per watching satellite; a bar from rise to set (UTC), filled where the sensor can image the site
  const names = [...new Set(passes.map((p) => `${p.name} (${p.norad_id})`))];
  const start = (p) => utc(p.rise || p.culmination), end = (p) => utc(p.set || p.culmination);
  const t0 = Math.min(...passes.map((p) => +start(p))), t1 = Math.max(...passes.map((p) => +end(p)));
  const W = 900, L = 190, R = 16, T = 12, RowH = 26, B = 40, H = T + B + RowH * names.length;
  const sx = (t) => L + (t - t0) / Math.max(t1 - t0, 1) * (W - L - R);
  const hours = niceTicks(0, (t1 - t0) / 3600000, 8);
  return svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", class: "plot timeline" },
    svg("title", { text: `Overflights of ${site}` }),
    svg("desc", { text: `${passes.length} passes of ${names.length} watching satellites from ${fmtUtc(new Date(t0))}; filled bars: usable (the sensor can image the site), open bars: not usable.` }),
    svg("g", { class: "grid" }, hours.map((h) => svg("g", {},
      svg("line", { x1: sx(t0 + h * 3600000), x2: sx(t0 + h * 3600000), y1: T, y2: H - B }),
      svg("text", { x: sx(t0 + h * 3600000), y: H - B + 16, "text-anchor": "middle", text: `+${h} h` }))),
    names.map((n, k) => svg("text", { x: L - 6, y: T + RowH * k + RowH / 2 + 4, "text-anchor": "end", text: n }))),
    svg("rect", { x: L, y: T, width: W - L - R, height: H - T - B, class: "frame" }),
    passes.map((p) => {
      const row = names.indexOf(`${p.name} (${p.norad_id})`);
      return svg("rect", { x: sx(+start(p)), y: T + RowH * row + 5, width: Math.max(sx(+end(p)) - sx(+start(p)), 3), height: RowH - 10,
        class: p.usable ? "pass usable" : "pass", "data-culmination": p.culmination },
      svg("title", { text: `${p.name}: ${p.rise || "before the window"} to ${p.set || "after it"}, max elevation ${p.max_elevation_deg}°, ${p.usable ? "usable" : "not usable"}` }));
    }),
    svg("text", { x: (L + W - R) / 2, y: H - 6, "text-anchor": "middle", class: "label",
      text: `hours from ${fmtUtc(new Date(t0))}` }));
}

async function overflightsPage() {
  const node = document.getElementById("sites");
  const sites = (me() || {}).sites || [];
  if (!sites.length) {
    node.replaceChildren(el("p", { text: "This key reads no site's overflight passes." }));
    document.body.dataset.loaded = "true";
    return;
  }
  const sections = await Promise.all(sites.map(async (site, k) => {
    const card = el("section", { class: "card", "aria-labelledby": `site-${k}-h`, "data-site": site },
      el("h2", { id: `site-${k}-h`, text: site }));
    try {
      const page = await api(`/v1/overflights?site=${encodeURIComponent(site)}`);
      if (!page.items.length) { card.append(el("p", { text: "No passes in the newest screening window." })); return card; }
      card.append(el("figure", { class: "timeline-figure" }, timelinePlot(site, page.items), el("figcaption",
        { text: `Passes over ${site} (catalogue version ${page.catalog_version_id}): filled bars usable, open bars not usable.` })));
      card.append(el("table", { class: "grid" }, el("thead", {}, el("tr", {}, ["Satellite", "Owner", "Sensor", "Rise", "Culmination",
        "Set", "Max elevation", "Usable"].map((h) => el("th", { scope: "col", text: h })))), el("tbody", {}, page.items.map((p) => el("tr", {},
        el("td", { text: `${p.name} (${p.norad_id})` }), el("td", { text: p.owner }), el("td", { text: p.sensor }),
        el("td", { text: p.rise || "before the window" }), el("td", { text: p.culmination }), el("td", { text: p.set || "after it" }),
        el("td", { text: `${p.max_elevation_deg}°` }), el("td", { text: p.usable ? "yes" : "no" }))))));
    } catch (error) { card.append(el("p", { class: "problem", text: `Passes not available: ${error.message}` })); }
    return card;
  }));
  node.replaceChildren(...sections);
  document.body.dataset.loaded = "true";
}

// ---- start ---------------------------------------------------------------------------------
document.addEventListener("DOMContentLoaded", () => {
  if (!frame()) return;
  const page = document.body.dataset.page;
  ({ "sign-in": signInPage, alerts: alertsPage, alert: alertPage, jobs: jobsPage, overflights: overflightsPage })[page]();
});
