/* The merchant card and the clock: the emulator's time (run on by this page between answers),
 * how far it is from real time, advancing it, going back to real time, and what the clock will
 * make happen next (each with a button that advances the clock just past it). */

var lastMerchantIds = "";

function renderMerchants(data) {
  var select = $("db-merchant-select");
  var ids = data.merchants.map(function (m) { return m.merchant_id; }).join(" ");
  if (ids !== lastMerchantIds) {
    lastMerchantIds = ids;
    replaceChildren(select, data.merchants.map(function (m) {
      return el("option", { value: m.merchant_id }, m.name + " — " + m.merchant_id + (m.app_id !== m.merchant_id ? " (app " + m.app_id + ")" : ""));
    }));
  }
  if (data.merchant_id && select.value !== data.merchant_id) select.value = data.merchant_id;
  select.disabled = !data.merchants.length;
  $("db-no-merchant").hidden = !!data.merchants.length;
  var merchant = data.merchants.filter(function (m) { return m.merchant_id === data.merchant_id; })[0];
  var pairs = merchant ? [
    ["Name", bdi(merchant.name)], ["Merchant id", code(merchant.merchant_id)], ["App id (x-paykka-appid)", code(merchant.app_id)],
    ["Client key", code(merchant.client_key)], ["Public key", code(merchant.public_key_fingerprint)],
    ["Default notify URL", merchant.notify_url ? bdi(merchant.notify_url) : el("span", { className: "db-muted" }, "none (each session names its own)")],
    ["PCI", merchant.pci ? "yes: may send plain card numbers" : "no: encrypted card fields only"]
  ] : [];
  replaceChildren($("db-merchant-details"), pairs.map(function (p) { return [el("dt", null, p[0]), el("dd", null, p[1])]; }));
  $("db-platform-key").textContent = data.platform_key_fingerprint;
}

var clockSettings = { offset_seconds: 0, signature_skew_seconds: 0 };

function renderClockNow() {
  var node = $("db-now");
  var ms = emulatorNow();
  node.setAttribute("datetime", new Date(ms).toISOString());
  var shown = clockText(ms);
  if (node.textContent !== shown) node.textContent = shown;
}

function renderClock(data) {
  clockSettings = data.clock;
  var offset = Math.round(data.clock.offset_seconds), skew = data.clock.signature_skew_seconds;
  var words = offset ? "Business time runs " + span(offset) + " ahead of real time." : "Business time is real time.";
  if (skew) words += " Signature timestamps are " + span(Math.abs(skew)) + (skew > 0 ? " ahead of" : " behind") + " real time.";
  $("db-offset").textContent = words;
  $("db-real-time").disabled = !offset && !skew;
  renderClockNow();
  var items = data.schedule;
  $("db-schedule-empty").hidden = items.length > 0;
  replaceChildren($("db-schedule"), items.map(function (item) {
    var key = "schedule-" + item.kind + "-" + item.id;
    var due = item.at_ms - emulatorNow();
    var seconds = Math.max(Math.ceil(due / 1000) + 1, 1);
    return el("li", { "data-key": key }, [
      timeEl(item.at_ms), " ", el("span", null, item.what), " ",
      due > 0 ? el("button", { type: "button", className: "db-button db-button-small", "data-action": "advance-to",
        "data-seconds": seconds, "data-focus": key + "|advance" }, ["Advance to it", hiddenText(" (" + span(seconds) + ")")]) : null
    ]);
  }));
}

function clockError(message) { $("db-clock-error").textContent = message || ""; }

function advance(seconds) {
  clockError("");
  return control("/clock", { advance_seconds: seconds }).then(function (answer) {
    if (!answer.ok) { clockError(answer.message); return; }
    announce("The clock moved " + span(seconds) + " ahead.");
    refreshNow();
  });
}

function bindClock() {
  $("db-advance").addEventListener("click", function () {
    var amount = Number($("db-advance-amount").value);
    var unit = Number($("db-advance-unit").value);
    if (!(amount > 0) || Math.round(amount) !== amount) {
      clockError("Advance the clock by: a whole number above 0.");
      $("db-advance-amount").focus();
      return;
    }
    advance(amount * unit);
  });
  $("db-real-time").addEventListener("click", function () {
    clockError("");
    control("/clock", { reset: true }).then(function (answer) {
      if (!answer.ok) { clockError(answer.message); return; }
      announce("The clock is back on real time.");
      $("db-advance").focus();
      refreshNow();
    });
  });
  $("db-schedule").addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action=advance-to]");
    if (button) advance(Number(button.getAttribute("data-seconds")));
  });
  $("db-merchant-select").addEventListener("change", function (event) {
    setState({ merchant: event.target.value, related: null });
    forgetSnapshot();
    refreshNow();
  });
}
