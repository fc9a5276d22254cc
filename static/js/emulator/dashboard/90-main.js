/* The page's loop: ask for the snapshot every second while the page is visible (the emulator
 * answers 304 while nothing changed, and nothing is redrawn), redraw what changed, and keep
 * the reader's place: the focused control and the open <details> survive a redraw. */

var POLL_MS = 1000;
var snapshot = null;
var pollTimer = null;

/** Redraw with ``draw``, then give focus back to the same control (found by its data-focus key),
 * or to the record it was in when that control is gone, and reopen the <details> that were open. */
function keepingPlace(draw) {
  var active = document.activeElement;
  var focusKey = active && active.getAttribute ? active.getAttribute("data-focus") : null;
  var open = {};
  Array.prototype.forEach.call(document.querySelectorAll("details[data-key]"), function (d) {
    if (d.open) open[d.getAttribute("data-key")] = true;
  });
  draw();
  Array.prototype.forEach.call(document.querySelectorAll("details[data-key]"), function (d) {
    if (open[d.getAttribute("data-key")]) d.open = true;
  });
  if (!focusKey || document.activeElement === active) return;
  var again = document.querySelector('[data-focus="' + CSS.escape(focusKey) + '"]');
  if (!again) {
    var record = focusKey.split("|")[0].replace(/-body$/, "");
    again = document.querySelector('[data-key="' + CSS.escape(record) + '"][tabindex]');
  }
  if (again) again.focus();
}

function render() {
  var data = snapshot;
  if (!data) return;
  keepingPlace(function () {
    renderMerchants(data);
    renderClock(data);
    var filter = $("db-filter");
    filter.hidden = !state.related;
    $("db-filter-id").textContent = state.related || "";
    var sessions = related(data.sessions), orders = related(data.transactions), refunds = related(data.refunds);
    var disputes = related(data.disputes), tokens = related(data.tokens), agreements = related(data.agreements);
    var hooks = related(data.webhooks);
    replaceChildren($("db-sessions"), [renderSessions(sessions), more(data.totals.sessions, data.sessions.length)]);
    replaceChildren($("db-transactions"), [renderTransactions(orders), more(data.totals.transactions, data.transactions.length)]);
    replaceChildren($("db-refunds"), renderRefunds(refunds));
    replaceChildren($("db-disputes"), renderDisputes(disputes));
    replaceChildren($("db-tokens"), renderTokens(tokens));
    replaceChildren($("db-agreements"), renderAgreements(agreements));
    replaceChildren($("db-webhooks"), [renderWebhooks(hooks), more(data.totals.webhooks, data.webhooks.length)]);
    replaceChildren($("db-requests"), renderRequests(data.requests));
    renderFaults(data.faults);
    setCount("payments", orders.length);
    setCount("cards", tokens.length + agreements.length);
    setCount("webhooks", hooks.length);
    setCount("requests", data.requests.length);
    setCount("tools", data.faults.length);
  });
}

function load() {
  return fetchSnapshot().then(function (data) {
    $("db-offline").hidden = true;
    if (data) {
      snapshot = data;
      if (!state.merchant && data.merchant_id) setState({ merchant: data.merchant_id });
      render();
    }
  }, function (error) {
    if (error && error.status === 404 && state.merchant) {
      // A merchant the emulator no longer has (it restarted without --data): show the newest instead.
      setState({ merchant: null });
      forgetSnapshot();
      return load();
    }
    $("db-offline").hidden = false;
  });
}

var loading = false, askAgain = false;

/** One request at a time: asked for while one is on its way, the next goes as soon as it is back. */
function poll() {
  window.clearTimeout(pollTimer);
  if (document.hidden) return;
  if (loading) { askAgain = true; return; }
  loading = true;
  load().then(function () {
    loading = false;
    if (askAgain) { askAgain = false; poll(); return; }
    pollTimer = window.setTimeout(poll, POLL_MS);
  });
}

/** Ask now (after a button did something), not at the next tick. */
function refreshNow() { poll(); }

function start() {
  readHash();
  $("db-verdict").value = state.verdict;
  bindTabs();
  bindClock();
  bindTools();
  document.querySelector(".db-skip").addEventListener("click", function (event) {
    event.preventDefault();
    $("db-records").focus();
  });
  $("db-filter-clear").addEventListener("click", function () {
    setState({ related: null });
    render();
    $("db-records").focus();
  });
  $("db-verdict").addEventListener("change", function (event) {
    setState({ verdict: event.target.value });
    forgetSnapshot();
    refreshNow();
  });
  window.addEventListener("hashchange", function () {
    var before = { merchant: state.merchant, verdict: state.verdict };
    readHash();
    showTab(state.tab, false);
    $("db-verdict").value = state.verdict;
    if (before.merchant !== state.merchant || before.verdict !== state.verdict) {
      forgetSnapshot();
      refreshNow();
    } else {
      render();
    }
  });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refreshNow(); });
  window.setInterval(function () { renderClockNow(); refreshTimes(); }, 1000);
  poll();
}

start();
