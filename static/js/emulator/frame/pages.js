/* The stub's decision pages (3DS challenge, wallet sheet, QR wallet, redirect wallet):
 * two buttons that settle the attempt at the gateway, then tell whoever is waiting.
 * Framed pages answer the merchant page by postMessage to the exact origin the SDK put
 * in the fragment (and refuse to run under any other parent); the redirect wallet
 * returns the shopper to the session's return_url. */
(function () {
  "use strict";
  var main = document.querySelector("main[data-post]");
  if (!main) return;
  var mode = main.getAttribute("data-mode");
  var framed = mode === "frame";
  var params = new URLSearchParams(location.hash.slice(1));
  var parentOrigin = params.get("origin") || "";
  var channel = params.get("channel") || "";
  var buttons = main.querySelectorAll("button[data-approve]");
  var state = document.getElementById("state");

  if (framed) {
    var ancestors = location.ancestorOrigins;
    if (window.parent === window || !parentOrigin || (ancestors && ancestors.length && ancestors[0] !== parentOrigin)) {
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
      state.textContent = "This page only works inside the merchant's checkout.";
      return;
    }
    history.replaceState(null, "", location.pathname + location.search);
  }

  function send(message) {
    if (!framed) return;
    message.channel = channel;
    window.parent.postMessage(message, parentOrigin);
  }

  function withResult(url, result) {
    var target = new URL(url, location.href);
    target.searchParams.set("order_id", result.orderId || "");
    target.searchParams.set("status", result.status || "");
    return target.href;
  }

  function decide(approve) {
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    fetch(main.getAttribute("data-post"), {
      method: "POST", credentials: "omit", headers: { "content-type": "application/json" },
      body: JSON.stringify({ approve: approve })
    }).then(function (resp) { return resp.json(); }).then(function (json) {
      if (json.ret_code !== "000000") throw new Error(json.ret_msg || "request failed");
      var result = json.data;
      if (framed) send({ type: "paykka:action-result", result: result });
      else if (mode === "redirect" && result.returnUrl) location.assign(withResult(result.returnUrl, result));
      else state.textContent = main.getAttribute("data-done");
    }).catch(function (err) {
      state.textContent = String(err && err.message || err);
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
    });
  }

  Array.prototype.forEach.call(buttons, function (b) {
    b.addEventListener("click", function () { decide(b.getAttribute("data-approve") === "true"); });
    // The page renders the buttons disabled: they come alive only now that a click is heard.
    b.disabled = main.hasAttribute("data-final");
  });
  // Escape inside the frame never reaches the merchant's dialog: forward it as a cancel.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") send({ type: "paykka:action-cancel" });
  });
  function resize() { send({ type: "paykka:resize", height: Math.ceil(main.getBoundingClientRect().height) }); }
  if (window.ResizeObserver) new ResizeObserver(resize).observe(document.body);
  resize();
  if (buttons.length && !buttons[0].disabled) buttons[0].focus();
})();
