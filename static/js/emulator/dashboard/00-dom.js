/* The emulator's dashboard: DOM helpers, times and the page's state.
 * The emulator serves every file of this folder, in name order, as one script in a function
 * scope at /_stub/dashboard.js. No framework, no eval, no inline handlers, no style
 * attributes: the page's CSP allows scripts and styles from the emulator's origin only.
 * Every text from the records goes in as text (never as HTML), and text a merchant or a
 * shopper wrote (names, goods, references, URLs) inside <bdi>, so a right-to-left name keeps
 * its own order without turning the text around it. */

function $(id) { return document.getElementById(id); }

function append(node, children) {
  if (children == null) return node;
  if (!Array.isArray(children)) children = [children];
  children.forEach(function (child) {
    if (child == null || child === false) return;
    if (Array.isArray(child)) append(node, child);
    else node.append(typeof child === "string" || typeof child === "number" ? String(child) : child);
  });
  return node;
}

/** An element: attributes (className, and any attribute by name; null/false left out), then children. */
function el(tag, attrs, children) {
  var node = document.createElement(tag);
  if (attrs) Object.keys(attrs).forEach(function (name) {
    var value = attrs[name];
    if (value == null || value === false) return;
    if (name === "className") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  });
  return append(node, children);
}

/** Text someone else wrote, isolated from the text around it. */
function bdi(text) { return el("bdi", null, text == null ? "" : String(text)); }
function code(text) { return el("code", null, text == null ? "" : String(text)); }
function hiddenText(text) { return el("span", { className: "db-visually-hidden" }, text); }
function small(children) { return el("span", { className: "db-small" }, children); }
function lines(parts) {
  var out = [];
  parts.forEach(function (part) {
    if (part == null || part === false) return;
    if (out.length) out.push(el("br"));
    out.push(part);
  });
  return out;
}
function replaceChildren(node, children) {
  node.textContent = "";
  return append(node, children);
}

/** Say ``message`` to screen readers (and keep it visible to nobody else). */
function announce(message) {
  var region = $("db-announce");
  region.textContent = "";
  window.setTimeout(function () { region.textContent = message; }, 30);
}

// --- the page's state, kept in the URL's fragment so a reload or a shared link shows the same ---

var TABS = ["payments", "cards", "webhooks", "requests", "tools"];
var state = { merchant: null, tab: "payments", related: null, verdict: "" };

function readHash() {
  // A fragment that is no state (an in-page link's "#db-records") leaves the state as it is.
  if (location.hash.length > 1 && location.hash.indexOf("=") < 0) return;
  var params = new URLSearchParams(location.hash.slice(1));
  state.merchant = params.get("merchant") || null;
  state.tab = TABS.indexOf(params.get("tab")) >= 0 ? params.get("tab") : "payments";
  state.related = params.get("related") || null;
  state.verdict = params.get("verdict") || "";
}

function hashFor(changes) {
  var next = Object.assign({}, state, changes || {});
  var params = new URLSearchParams();
  if (next.merchant) params.set("merchant", next.merchant);
  if (next.tab && next.tab !== "payments") params.set("tab", next.tab);
  if (next.related) params.set("related", next.related);
  if (next.verdict) params.set("verdict", next.verdict);
  var text = params.toString();
  return text ? "#" + text : location.pathname + location.search;
}

/** Record ``changes`` in the state and the address bar, without a new history entry. */
function setState(changes) {
  Object.assign(state, changes);
  history.replaceState(null, "", hashFor());
}

// --- times: the emulator's clock, as last reported by the emulator and run on by this page ---

var clockNow = { serverMs: 0, receivedAt: 0 };

function emulatorNow() {
  return clockNow.serverMs ? clockNow.serverMs + (performance.now() - clockNow.receivedAt) : Date.now();
}

function noteServerTime(ms) {
  if (ms > 0) { clockNow.serverMs = ms; clockNow.receivedAt = performance.now(); }
}

function pad(n) { return (n < 10 ? "0" : "") + n; }

/** ``2025-03-08 02:00:00 UTC``: the emulator writes its times in UTC too. */
function clockText(ms) {
  var d = new Date(ms);
  return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " +
    pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds()) + " UTC";
}

function span(seconds) {
  if (seconds < 90) return seconds + " s";
  if (seconds < 90 * 60) return Math.round(seconds / 60) + " min";
  if (seconds < 36 * 3600) return Math.round(seconds / 360) / 10 + " h";
  var days = Math.round(seconds / 8640) / 10;
  return days + (days === 1 ? " day" : " days");
}

function relative(ms, now) {
  var diff = Math.round((ms - now) / 1000);
  if (Math.abs(diff) < 3) return "now";
  return diff > 0 ? "in " + span(diff) : span(-diff) + " ago";
}

function fillTime(node) {
  var ms = Number(node.getAttribute("data-ms"));
  var shown = clockText(ms) + " (" + relative(ms, emulatorNow()) + ")";
  if (node.textContent !== shown) node.textContent = shown;
}

/** A <time> that says when and how long from now, kept current by :func:`refreshTimes`. */
function timeEl(ms) {
  if (ms == null) return el("span", { className: "db-muted" }, "—");
  var node = el("time", { datetime: new Date(ms).toISOString(), "data-ms": ms });
  fillTime(node);
  return node;
}

function refreshTimes() {
  Array.prototype.forEach.call(document.querySelectorAll("time[data-ms]"), fillTime);
}

// --- statuses, ids, amounts -------------------------------------------------------------------

var TONES = {
  SUCCESS: "good", delivered: "good", accepted: "good", DISPUTE_WON: "good", active: "good",
  AUTHORIZED: "info", PARTIALLY_REFUNDED: "info", REFUNDED: "info", PARTIALLY_REVERSED: "info", UNDER_REVIEW: "wait",
  PROCESSING: "wait", pending: "wait", REVIEWING: "wait", DISPUTE_CREATED: "wait",
  FAILURE: "bad", failed: "bad", refused: "bad", DISPUTE_LOST: "bad",
  EXPIRED: "muted", CANCELED: "muted", REVERSED: "muted", removed: "muted", canceled: "muted"
};

/** A status as a word in a coloured pill (the word says it; the colour only repeats it). */
function badge(text, tone) {
  return el("span", { className: "db-badge db-tone-" + (tone || TONES[text] || "muted") }, text);
}

/** An id that filters every list down to what belongs with it (a link to this page's fragment). */
function idLink(id, focusKey, label) {
  if (!id) return null;
  var current = state.related === id;
  return el("a", {
    className: "db-id" + (label ? " db-id-text" : "") + (current ? " db-id-current" : ""), href: hashFor({ related: id }),
    "data-focus": focusKey + "|" + id, "aria-current": current ? "true" : null,
    title: "Show what belongs with " + id
  }, label || id);
}

function related(rows) {
  if (!state.related) return rows;
  return rows.filter(function (row) { return (row.related || []).indexOf(state.related) >= 0; });
}
